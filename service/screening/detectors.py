"""Find identifiers in text: check-digit numbers, postcodes, phones, e-mails, birth dates, names, places."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher, PhoneNumberType
from stdnum import isbn
from stdnum.exceptions import InvalidComponent, ValidationError
from stdnum.gb import nhs, upn

from service import clock

KINDS = (
    "nhs_number", "upn", "ni_number", "postcode", "phone", "email",
    "date_of_birth", "person_name", "address",
)  # fmt: skip


@dataclass(frozen=True)
class TextFinding:
    """An identifier of `kind` at text[start:end]."""

    kind: str
    start: int
    end: int
    confidence: float


# --- NHS number -------------------------------------------------------------------------------

_NHS = re.compile(r"(?<![\w+/.-])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\w/]|[.,]\d|[ -]\d)")
_NHS_CONTEXT = re.compile(r"\bNHS\b|\bCHI\b", re.IGNORECASE)
_ISBN_CONTEXT = re.compile(r"ISBN|ISSN|DOI|tel|phone|mobile|fax", re.IGNORECASE)


def _ascii_digits(digits: str) -> str:
    """The pattern's \\d also takes other scripts' digits ("٩"): read them as the digits they are."""
    return digits if digits.isascii() else "".join(str(int(d)) for d in digits)


def nhs_number_valid(digits: str) -> bool:
    """Modulus 11 (python-stdnum's gb.nhs): a check of 10 means the number can never be issued."""
    return len(digits) == 10 and nhs.is_valid(digits)


def _nhs(text: str) -> Iterator[TextFinding]:
    for match in _NHS.finditer(text):
        digits = _ascii_digits(match.group(1) + match.group(3) + match.group(4))
        if not nhs_number_valid(digits):
            continue
        before = text[max(0, match.start() - 60) : match.start()]
        named = _NHS_CONTEXT.search(before) is not None
        if _ISBN_CONTEXT.search(before) and not named:
            continue
        spaced = bool(match.group(2))
        if not spaced and not named and isbn.is_valid(digits):
            continue  # a bare ten-digit run that is also a valid ISBN-10 is far more likely a book
        confidence = 0.99 if named else 0.95 if spaced else 0.6
        yield TextFinding("nhs_number", match.start(), match.end(), confidence)


# As OCR reads a handwritten or poorly scanned label and number: "NHS no", "NH.S ne", "NHS me:"; then nine to
# eleven digits in two to four groups ("573 669 2968", "94 762 5389", "407 8.53 6018": a digit lost or doubled,
# a speck read as a point).
_MISREAD_NHS = re.compile(
    r"\bN\W?H\W?[S5$][ \t]*(?:(?:number|[A-Za-z]{1,3})\.?[ \t]*)?[:\-#]?[ \t]*"
    r"(?P<number>\d{2,4}(?:[ .]{1,2}\d[\d.]{0,4}){1,3})(?![\w/])"
)


def misread_nhs_numbers(text: str) -> list[TextFinding]:
    """NHS numbers OCR misread: right after its label, a number of about ten digits that is no valid NHS number.
    Typed, that is a made-up or mistyped number; read from a scan or handwriting, it is far likelier the child's
    number with a digit misread (4 as 1, 8 as 3), lost or doubled, and it still all but names the child."""
    found = []
    for match in _MISREAD_NHS.finditer(text):
        number = match.group("number").rstrip(". ")
        digits = _ascii_digits(re.sub(r"\D", "", number))
        phone_like = digits.startswith("0") and len(number.split()[0]) >= 4
        read_right = _NHS.fullmatch(number) is not None and nhs_number_valid(digits)  # the text detector's
        if 9 <= len(digits) <= 11 and not phone_like and not read_right:
            start = match.start("number")
            found.append(TextFinding("nhs_number", start, start + len(number), 0.7))
    return found


# --- Unique Pupil Number ----------------------------------------------------------------------

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN = re.compile(rf"(?<![\w-])([{UPN_LETTERS}])(\d{{11}})([\d{UPN_LETTERS}])(?![\w-])")


def upn_check_letter(body: str) -> str | None:
    """The check letter for characters 2-13 (python-stdnum's gb.upn; a temporary UPN's last letter counts by its
    place in the table), or None if the body cannot be a UPN's."""
    if len(body) != 12 or not body[:11].isdecimal() or not (body[11].isdecimal() or body[11] in UPN_LETTERS):
        return None
    return str(upn.calc_check_digit(_ascii_upn(body)))


def _ascii_upn(chars: str) -> str:
    return "".join(_ascii_digits(c) if c.isdecimal() else c for c in chars)


def _upn(text: str) -> Iterator[TextFinding]:
    for match in _UPN.finditer(text):
        body = match.group(2) + match.group(3)
        if upn_check_letter(body) != match.group(1):
            continue
        permanent = match.group(3).isdigit()
        try:
            upn.validate(_ascii_upn(match.group(0)))
            known_la = True
        except InvalidComponent:
            # Characters 2-4 are the issuing authority; python-stdnum's list of them dates from 2011 (no Dorset,
            # BCP, the Northamptonshires or Cumbria's successors, nor Wales), so an unlisted one is still reported.
            known_la = False
        except ValidationError:
            continue
        confidence = (0.99 if permanent else 0.95) if known_la else (0.9 if permanent else 0.85)
        yield TextFinding("upn", match.start(), match.end(), confidence)


# --- National Insurance number ----------------------------------------------------------------

_NINO = re.compile(
    r"(?<![\w-])([A-CEGHJ-PR-TW-Z])([A-CEGHJ-NPR-TW-Z])[ ]?(\d{2})[ ]?(\d{2})[ ]?(\d{2})[ ]?([A-D])(?![\w-])"
)
_NINO_ANY_CASE = re.compile(r"(?<![\w-])[A-Za-z]{2}[ ]?\d{2}[ ]?\d{2}[ ]?\d{2}[ ]?[A-Da-d](?![\w-])")
_NINO_NEVER = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def _ni_number(text: str) -> Iterator[TextFinding]:
    for match in _NINO_ANY_CASE.finditer(text):
        upper = match.group(0).upper()
        checked = _NINO.fullmatch(upper)
        if checked is None or checked.group(1) + checked.group(2) in _NINO_NEVER:
            continue
        # Typed in lower case on a form it is just as real, but less surely not some other code.
        confidence = 0.97 if match.group(0) == upper else 0.8
        yield TextFinding("ni_number", match.start(), match.end(), confidence)


# --- Postcode -----------------------------------------------------------------------------------

POSTCODE_AREAS = frozenset(
    """AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY
    E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL
    LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN
    SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE""".split()  # noqa: SIM905
)
# Outward: A9, A99, AA9, AA99, A9A, AA9A. Inward: digit and two letters never C I K M O V.
_POSTCODE = re.compile(r"(?<![\w-])([A-Z]{1,2})(\d)([A-Z\d]?)(\s?)(\d[ABD-HJLNP-UW-Z]{2})(?![\w-])")
_POSTCODE_ANY_CASE = re.compile(r"(?<![\w-])[A-Za-z]{1,2}\d[A-Za-z\d]?\s?\d[A-Za-z]{2}(?![\w-])")
_THIRD_LETTER = frozenset("ABCDEFGHJKPSTUW")  # A9A
_FOURTH_LETTER = frozenset("ABEHMNPRVWXY")  # AA9A


def _postcode(text: str) -> Iterator[TextFinding]:
    for candidate in _POSTCODE_ANY_CASE.finditer(text):
        raw = candidate.group(0)
        match = _POSTCODE.fullmatch(raw.upper())
        if match is None:
            continue
        area, digit, tail, space = match.group(1), match.group(2), match.group(3), match.group(4)
        if area not in POSTCODE_AREAS:
            continue
        if tail.isalpha():
            allowed = _THIRD_LETTER if len(area) == 1 else _FOURTH_LETTER
            if tail not in allowed:
                continue
        if space not in ("", " "):
            continue  # a line break between the halves is more likely two unrelated tokens
        del digit
        confidence = (0.95 if space else 0.8) if raw == raw.upper() else 0.7
        yield TextFinding("postcode", candidate.start(), candidate.end(), confidence)


# --- Phone --------------------------------------------------------------------------------------

_PHONE_CONTEXT = re.compile(r"\b(tel|telephone|phone|mobile|mob|contact|call|ring)\b", re.IGNORECASE)
# Seven digits close together: the only lines worth handing to the numbering-plan matcher (it is far slower than
# one pattern over the page, and a number is never split across lines).
_PHONE_LINE_HINT = re.compile(r"\d(?:[ ()\-.\u2010-\u2015/]{0,3}\d){6}")
# Kinds of line that reach a person or a household; not premium, shared-cost, personal (070) numbers or pagers.
_PHONE_TYPES = frozenset({
    PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE,
    PhoneNumberType.UAN, PhoneNumberType.TOLL_FREE,
})
_UK_REGIONS = frozenset(phonenumbers.COUNTRY_CODE_TO_REGION_CODE[44])  # GB and the Crown Dependencies
# Ofcom keeps these ranges for drama and examples: never issued, so the plan's data calls them invalid, yet they
# are how phone numbers are written in sample reports and test bundles (07700 900xxx, 01632 960xxx).
_DRAMA = ("7700900", "1632960")


def _plan_allows(match: phonenumbers.PhoneNumberMatch) -> bool:
    number = match.number
    national = phonenumbers.national_significant_number(number)
    raw = match.raw_string.lstrip("(")
    if number.country_code == 44 and national.startswith(_DRAMA) and len(national) == 10:
        return raw.startswith(("0", "+44", "0044"))
    if not phonenumbers.is_valid_number(number):
        return False
    if phonenumbers.region_code_for_number(number) in _UK_REGIONS:
        # written as dialled in the UK (trunk 0) or with its country code; a bare run is a reference or NHS number
        if not raw.startswith(("0", "+")):
            return False
    elif not raw.startswith(("+", "00")):
        return False  # another country's number counts only with its country code written out
    kind = phonenumbers.number_type(number)
    if kind == PhoneNumberType.TOLL_FREE and len(national) < 9:
        return False  # the short freephone lines are national helplines (0800 1111, Childline)
    return kind in _PHONE_TYPES


def _phone_lines(text: str) -> Iterator[tuple[int, str]]:
    end = -1
    for hint in _PHONE_LINE_HINT.finditer(text):
        if hint.start() < end:
            continue
        start = text.rfind("\n", 0, hint.start()) + 1
        end = text.find("\n", hint.end())
        end = len(text) if end < 0 else end
        yield start, text[start:end]


def _phone(text: str) -> Iterator[TextFinding]:
    """Numbers that Google's numbering-plan data (phonenumbers) finds valid, of a kind that reaches a person."""
    for offset, line in _phone_lines(text):
        seen: list[tuple[int, int]] = []
        for leniency in (Leniency.VALID, Leniency.POSSIBLE):
            if leniency == Leniency.POSSIBLE and not any(d in re.sub(r"\D", "", line) for d in _DRAMA):
                continue  # the drama ranges are only "possible" to the plan: a second pass, only where they occur
            for match in PhoneNumberMatcher(line, "GB", leniency=leniency):
                if any(s < match.end and match.start < e for s, e in seen) or not _plan_allows(match):
                    continue
                seen.append((match.start, match.end))
                before = line[max(0, match.start - 25) : match.start]
                named = _PHONE_CONTEXT.search(before) or match.raw_string.startswith("+")
                yield TextFinding("phone", offset + match.start, offset + match.end, 0.95 if named else 0.9)


# --- E-mail -------------------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9](?:[A-Za-z0-9._%+'-]{0,63})@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![\w@])"
)
# A team mailbox names no one; it is still reported, with less confidence.
_ROLE_MAILBOX = re.compile(
    r"(send|sen|senco|info|admin|office|enquiries|enquiry|contact|team|ehcp|reception|duty|"
    r"noreply|no-reply|hello|help|support|mailbox)[\w.-]*@",
    re.IGNORECASE,
)


def _email(text: str) -> Iterator[TextFinding]:
    for match in _EMAIL.finditer(text):
        role = _ROLE_MAILBOX.match(match.group(0))
        yield TextFinding("email", match.start(), match.end(), 0.6 if role else 0.97)


# --- Date of birth ------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
            ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
            ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_NUMERIC_DATE = r"(?P<d1>\d{1,2})(?P<sep>[/.\-])(?P<m1>\d{1,2})(?P=sep)(?P<y1>\d{4}|\d{2})"
_WORDY_DATE = rf"(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH_NAMES})\.?,?\s+(?P<y2>\d{{4}})"
_AMERICAN_DATE = rf"(?P<m3>{_MONTH_NAMES})\.?\s+(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y3>\d{{4}})"
_DOB_CONTEXT = re.compile(
    r"(?:\bD\.?O\.?B\b\.?|\bdate\s+of\s+birth\b|\bbirth\s*date\b|\bborn\b|\bbirthday\b)"
    r"(?:[\s:=\-\u2013|]|\b(?:is|was|on|of|the)\b){0,8}?"
    rf"(?P<date>{_NUMERIC_DATE}|{_WORDY_DATE}|{_AMERICAN_DATE})(?!\d)",
    re.IGNORECASE,
)


def _plausible_date(day: int, month: int, year: int) -> bool:
    if year < 100:
        year += 2000 if year <= clock.today().year % 100 else 1900
    try:
        born = dt.date(year, month, day)
    except ValueError:
        return False
    return dt.date(1900, 1, 1) <= born <= clock.today() + dt.timedelta(days=366)


def _date_of_birth(text: str) -> Iterator[TextFinding]:
    for match in _DOB_CONTEXT.finditer(text):
        parts = match.groupdict()
        if parts["d1"]:
            day, month, year = int(parts["d1"]), int(parts["m1"]), int(parts["y1"])
        elif parts["d2"]:
            day, month, year = int(parts["d2"]), _MONTHS[parts["m2"].lower()], int(parts["y2"])
        else:
            day, month, year = int(parts["d3"]), _MONTHS[parts["m3"].lower()], int(parts["y3"])
        if _plausible_date(day, month, year):
            yield TextFinding("date_of_birth", match.start("date"), match.end("date"), 0.95)


# --- Person names -------------------------------------------------------------------------------

_NAME_WORD = (
    r"(?:[A-Z][a-z]*['\u2019][A-Z][a-z]+|Mc[A-Z][a-z]+|Mac[A-Z][a-z]+|[A-Z][a-z]+(?:-[A-Z][a-z]+)?|[A-Z]{2,})"
)
_TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Master|Sir|Dame|Rev)"
# One to four name words on one line, optionally after a title; initials like "J." allowed inside.
_NAME_RUN = rf"(?:{_TITLE}\.?[ ]+)?{_NAME_WORD}(?:[ ]+(?:{_NAME_WORD}|[A-Z]\.?(?![\w'\u2019-]))){{0,3}}"

_PERSON_LABELS = (
    r"name\s+of\s+(?:the\s+)?(?:child|young\s+person|pupil|student|parent|carer|mother|father)|"
    r"(?:(?:child|pupil|young\s+person|person|parent|carer|student|full|first|last|given|family|sur|fore)"
    r"(?:['\u2019]s)?\s*)?name|surname|forename|mother|mum|father|dad|parents?|child|carer|carers|pupil|student|"
    r"young\s+person|guardian|foster\s+carer|step-?(?:mother|father)|sibling|brother|sister|"
    r"grandmother|grandfather|grandparent|nan|grandma|grandad|aunt|uncle|signed|signature|"
    r"completed\s+by|written\s+by|prepared\s+by|report\s+by|author|social\s+worker|key\s+worker|"
    r"class\s+teacher|teacher|senco|head\s*teacher|case\s+officer|contact"
)
# A label starting a line may be followed by a line break (a table cell); mid-line it needs a colon.
_LABELLED_NAME = re.compile(
    rf"(?:(?im:^[ \t]*(?:{_PERSON_LABELS})[ \t]*(?:[:\-\u2013][ \t]*|\n[ \t]*))"
    rf"|(?i:(?<![\w'\u2019])(?:{_PERSON_LABELS})[ \t]*:[ \t]*))"
    rf"(?P<name>{_NAME_RUN})"
)
_SALUTATION = re.compile(rf"\bDear[ \t]+(?P<name>{_NAME_RUN})")
# A letter's subject line names whom it is about ("Re: Ffion White, NHS number ...", "Patient: ..."), or a matter
# ("Re: Annual review"): a name only when its first word is a given name or no everyday English word.
_REGARDING = re.compile(rf"(?i:(?<![\w'\u2019])(?:re|regarding|patient|subject)[ \t]*:[ \t]*)(?P<name>{_NAME_RUN})")
_SIGN_OFF = re.compile(
    r"(?i:\b(?:yours\s+(?:sincerely|faithfully|truly)|kind\s+regards|best\s+wishes|many\s+thanks|"
    r"with\s+thanks|regards|signed))[ \t]*,?[ \t]*\n(?:[ \t]*\n){0,3}[ \t]*"
    rf"(?P<name>{_NAME_RUN})"
)
_TITLED = re.compile(rf"\b{_TITLE}\.?[ ]+(?P<name>{_NAME_WORD}(?:[ ]+{_NAME_WORD})?)")
# A lookahead, so that "Then Oliver Smith" is still tried from "Oliver".
_PAIR = re.compile(
    r"\b(?=(?P<name>(?P<given>[A-Z][a-z]+(?:-[A-Z][a-z]+)?)(?:[ ]+(?P<middle>[A-Z][a-z]+))?"
    r"[ ]+(?P<family>(?:Mc|Mac|O['\u2019])?[A-Z][a-z]+(?:-[A-Z][a-z]+)?))\b)"
)

# A lone given name acting in a sentence ("Aisha enjoys", "Aisha's mum"): in a bundle meant to say
# "Child A", the commonest slip. Weak evidence, so a low confidence.
_SINGLE_GIVEN = re.compile(
    r"(?<![\w'\u2019.-])(?<!St )(?<!St\. )(?<!Saint )(?P<name>[A-Z][a-z]+)(?=['\u2019]s\b|[ ]+[a-z])"
)
# A lone word followed by what only a person does or has: the verbs advice uses of a child, or a child's people.
_ACTING = re.compile(
    r"(?<![\w'\u2019.-])(?<!St )(?<!St\. )(?<!Saint )(?P<name>[A-Z][a-z]+)"
    r"(?:(?P<possessive>['\u2019]s[ ]+(?:mum|dad|mother|father|parents?|carers?|family|grandparents?|nan|gran|"
    r"brother|sister|siblings?|teachers?|keyworker|key[ ]worker|views|wishes|voice|behaviour|attendance|speech|"
    r"reading|writing|needs)\b)|(?=[ ]+(?:enjoys|likes|loves|dislikes|said|says|told|tells|attends|attended|"
    r"struggles|struggled|finds|found|wants|wanted|prefers|preferred|needs|becomes|became|responds|responded|"
    r"communicates|joined|started|lives|lived|moved|presents|presented|engages|engaged|benefits|benefited)\b))"
)
# A name that is also an everyday word, met less often than this in English, acts as a name before such a verb
# ("Jack enjoys", 13,356); commoner ones ("Grace", "May", "Will") only with a possessive.
ACTING_NAME_COUNT = 20000
# Given names that are also places, months, abbreviations or everyday words when standing alone.
_NOT_SINGLE_NAMES = frozenset(
    """
    max jan don gene carol sterling devon kent chester lincoln india jordan paris florence georgia
    chelsea austin dakota carolina virginia sydney adelaide jersey victoria christian tom sue pat
    """.split()  # noqa: SIM905
)
# Words that end a would-be name: roles, services, places, pseudonym words. Checked case-blind.
_NOT_NAME_WORDS = frozenset(
    """
    psychologist psychology therapist therapy teacher teaching worker officer senco coordinator
    co-ordinator manager assistant paediatrician consultant nurse doctor practitioner advisor adviser
    lead team service services school council department clinic hospital trust nhs academy primary
    secondary college nursery centre unit specialist educational speech language occupational
    physiotherapist physiotherapy audiologist optometrist health social care education camhs senior
    head deputy principal governor panel support staff tutor mentor tribunal court authority local
    child parent parents pupil person young carer student mother father sibling family yp cyp
    redacted withheld unknown known none applicable see above below same yes no tbc n/a not
    the this that these those he she they his her their him them it its we our you your i my a an
    and or of to in on at for with by from as is was were be has have had will would should
    date dob age year years class group key stage section appendix page report plan ehcp ehc
    road street lane avenue close drive way crescent grove gardens place court terrace square st saint
    mum dad nan nana gran granny grandma grandad grandpa auntie
    hill park walk row mews rise view green parade house flat primary infant junior
    monday tuesday wednesday thursday friday saturday sunday january february march april june
    july august september october november december sir madam colleague colleagues all whom
    concern team regards sincerely faithfully wishes thanks signed signature name address email
    telephone phone mobile tel number details information
    """.split()  # noqa: SIM905
)
_PSEUDONYM = re.compile(
    r"^(?:child|parent|mother|father|pupil|young person|person|carer|sibling|yp|cyp|student|"
    r"mr|mrs|ms|miss|dr)\s+[A-Z]{1,2}$",
    re.IGNORECASE,
)
# Words after a title that are not a surname: roles and pronouns ("Mr Tumble" is on the list of public names).
_NOT_TITLED_NAMES = frozenset("""
    and or the of to in on at for with by from as is was a an his her their he she they men president chairman
    speaker""".split())  # noqa: SIM905
# Names everyone knows, not the child's: characters and authors of children's books and television (a plan's
# "what people like about me" lists them: "loves Thomas the Tank Engine and Mr Tumble"), and the parties of
# case law an adviser cites ("L v Clarke and Somerset [1998]").
_PUBLIC_NAMES = re.compile(
    r"\b(?:Thomas the Tank Engine|Mr\.? Men|Little Miss(?: [A-Z][a-z]+)?|Harry Potter|Hermione Granger|"
    r"Ron Weasley|Peppa Pig|George Pig|Paw Patrol|Bob the Builder|Fireman Sam|Postman Pat|Peter Rabbit|"
    r"Winnie the Pooh|Paddington(?: Bear)?|Mickey Mouse|Minnie Mouse|Spider-?Man|Super Mario|Luigi|"
    r"Sonic(?: the Hedgehog)?|Percy Jackson|Tracy Beaker|Horrid Henry|Peter Pan|Captain Underpants|"
    r"Captain America|Iron Man|Buzz Lightyear|Lightning McQueen|Scooby[- ]Doo|Mr\.? Bean|Mr\.? Tumble|"
    r"Justin Fletcher|Ben and Holly|Hey Duggee|Bluey|Greg Heffley|Willy Wonka|Charlie Bucket|"
    r"Roald Dahl|Julia Donaldson|David Walliams|Jacqueline Wilson|J\.? ?K\.? Rowling|Michael Rosen|"
    r"Dr\.? Seuss|Eric Carle|Dr\.? Who|Doctor Who|Stick Man|Elsa and Anna|Princess Elsa)\b"
)
_CASE_CITATION = re.compile(
    r"\b(?:R \(on the application of [^)]{1,60}\)|[A-Z][\w.'\u2019-]*(?: [A-Z][\w.'\u2019-]*){0,4})"
    r" v\.? [A-Z][\w.'\u2019-]*(?:(?: [A-Z][\w.'\u2019-]*| and| &| of){0,6})"
    r"(?= ?[\[(]\d{4}[\])]| \(?\d{4}\)? ?(?:EWCA|EWHC|UKUT|UKSC|ELR|UKHL))"
)
# Capitalised words that are also given names or surnames but far more often ordinary words here.
_COMMON_WORD_NAMES = frozenset(
    """
    will may hope joy grace faith mark bill art summer autumn april june august rose ruby jade amber
    crystal dawn eve ivy holly lily daisy iris pearl chase hunter miles frank grant guy ray rich sandy
    sky sunny major king page stone dale glen heath wood young long little day church hall green white
    brown black gray grey field hill rich love price cook baker bishop bell ball lamb fox moss rivers
    banks march early best bright north south east west english french welsh scott lane
    street road park marsh ford brook bush wells house case head ward reading speech
    """.split()  # noqa: SIM905
)


# A word met at least this often in pyspellchecker's English frequency list (counts from subtitles and web text)
# is an everyday word first ("Grace", "Brown", "Bright", "Patience"); names, even common ones, fall below it
# ("Thomas" 988, "Oliver" 3,919, "Ben" 4,356).
COMMON_WORD_COUNT = 5000
# Below this count a word is no English word at all: a name the lists lack ("Kayden", "Adaeze") or a rare word.
RARE_WORD_COUNT = 60
_NAME_SHAPE = re.compile(r"(?:Mc|Mac|O['\u2019])?[A-Z][a-z]+(?:-[A-Z][a-z]+)?")


@lru_cache(maxsize=1)
def _english_counts() -> dict[str, int]:
    from spellchecker import SpellChecker

    return dict(SpellChecker(language="en", distance=1).word_frequency.dictionary)


# The list is American English: British spellings are looked up in their American form as well.
_BRITISH = (
    (re.compile(r"isation"), "ization"), (re.compile(r"is(e|ed|es|ing|er|ers)$"), r"iz\1"),
    (re.compile(r"ys(e|ed|es|ing)$"), r"yz\1"), (re.compile(r"our"), "or"),
    (re.compile(r"([^aeiou])re(s?)$"), r"\1er\2"),
    (re.compile(r"ae"), "e"), (re.compile(r"oe"), "e"), (re.compile(r"ogue$"), "og"),
    (re.compile(r"ll(ed|ing|er|ers)$"), r"l\1"), (re.compile(r"mme$"), "m"), (re.compile(r"ence$"), "ense"),
    (re.compile(r"^maths$"), "math"),
)
# Words of the field that no general list holds (and that are nobody's name).
FIELD_WORDS = frozenset("""
    senco sendco camhs ehcp ehcps ehc send semh slcn salt slt mld sld pmld msi asc asd adhd pda ota ot pt ep eps
    makaton picture paediatrician paediatrics paediatric audiologist audiology dyspraxia dyscalculia dysgraphia
    neurodivergent neurodiversity neurotypical proprioceptive vestibular interoception dysregulated dysregulation
    phonics numeracy literacy sen ta tas lsa lsas tac tafs eyfs ks1 ks2 ks3 ks4 sats gcse gcses btec ofsted
    pupil pupils keyworker timetable timetabled""".split())  # noqa: SIM905


def english_count(word: str) -> int:
    """How often the word occurs in ordinary English text (case-blind; 0 for a word never seen). British spellings
    count as their American forms; the field's own words count as ordinary words."""
    counts = _english_counts()
    lower = word.lower()
    if lower in FIELD_WORDS:
        return max(counts.get(lower, 0), COMMON_WORD_COUNT)
    best = counts.get(lower, 0)
    for pattern, american in _BRITISH:
        variant = pattern.sub(american, lower)
        if variant != lower:
            best = max(best, counts.get(variant, 0))
    return best


def is_common_word(word: str) -> bool:
    lower = word.lower()
    return lower in _COMMON_WORD_NAMES or english_count(lower) >= COMMON_WORD_COUNT


@dataclass(frozen=True)
class Gazetteer:
    """Names from Faker's person lists for every locale written in the Latin alphabet (86 locales: the names of
    families in English schools come from everywhere). `given` and `family` leave out names that are everyday
    English words; `any_given` and `any_family` keep them, for pairs where the other half is a name."""

    given: frozenset[str]
    family: frozenset[str]
    any_given: frozenset[str]
    any_family: frozenset[str]


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    import importlib
    import pkgutil

    import faker.providers.person as person_lists

    given: set[str] = set()
    family: set[str] = set()
    for module in pkgutil.iter_modules(person_lists.__path__):
        provider = importlib.import_module(f"{person_lists.__name__}.{module.name}").Provider
        for attribute, into in (("first_names", given), ("first_names_male", given),
                                ("first_names_female", given), ("last_names", family)):
            names = provider.__dict__.get(attribute, ())
            if isinstance(names, (list, tuple, set, frozenset, dict)):
                into.update(name for name in names if isinstance(name, str) and _NAME_SHAPE.fullmatch(name))
    not_names = _NOT_NAME_WORDS
    any_given = frozenset(name for name in given if name.lower() not in not_names)
    any_family = frozenset(name for name in family if name.lower() not in not_names)
    return Gazetteer(
        given=frozenset(name for name in any_given if not is_common_word(name)),
        family=frozenset(name for name in any_family if not is_common_word(name)),
        any_given=any_given,
        any_family=any_family,
    )


def name_gazetteer() -> tuple[frozenset[str], frozenset[str]]:
    """Given names and surnames that are not everyday English words."""
    names = gazetteer()
    return names.given, names.family


def _name_words(name: str) -> list[str]:
    return re.findall(r"[^\W\d_][\w'\u2019-]*", name)


def _trim_name(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Cut a captured run at the first word that cannot be part of a name; None if nothing is left."""
    words = list(re.finditer(r"\S+", text[start:end]))
    kept_end = start
    named = 0
    for word in words:
        bare = word.group(0).strip(".,;:").lower()
        if bare in _NOT_NAME_WORDS and bare not in {"mr", "mrs", "ms", "miss", "dr"}:
            break
        kept_end = start + word.end()
        if len(bare) > 1 and bare not in {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "master", "rev"}:
            named += 1
    candidate = text[start:kept_end].rstrip(" .")
    if named == 0 or _PSEUDONYM.match(candidate):
        return None
    if all(len(word) == 1 for word in _name_words(candidate)):
        return None
    if candidate.isupper() and len(_name_words(candidate)) == 1 and len(candidate) <= 4:
        return None  # acronyms such as "SALT" or "EP" after a label
    return start, start + len(candidate)


def _person_name(text: str) -> Iterator[TextFinding]:
    public = [match.span() for pattern in (_PUBLIC_NAMES, _CASE_CITATION) for match in pattern.finditer(text)]
    for finding in _name_candidates(text):
        if not any(start <= finding.start and finding.end <= end for start, end in public):
            yield finding


def _name_candidates(text: str) -> Iterator[TextFinding]:
    for pattern, confidence in ((_LABELLED_NAME, 0.9), (_SALUTATION, 0.85), (_SIGN_OFF, 0.8)):
        for match in pattern.finditer(text):
            span = _trim_name(text, match.start("name"), match.end("name"))
            if span:
                yield TextFinding("person_name", span[0], span[1], confidence)
    names = gazetteer()
    for match in _REGARDING.finditer(text):
        span = _trim_name(text, match.start("name"), match.end("name"))
        words = _name_words(text[span[0]:span[1]]) if span else []
        if span and words and (words[0] in names.any_given or not is_common_word(words[0])):
            yield TextFinding("person_name", span[0], span[1], 0.85)
    for match in _TITLED.finditer(text):
        span = _trim_name(text, match.start(), match.end("name"))
        words = _name_words(match.group("name"))
        if span is None and words and words[0].lower() not in _NOT_TITLED_NAMES and len(words[0]) > 1:
            # after a title the next word is a surname even when it is also an everyday word ("Ms Green")
            surname = re.search(re.escape(words[0]), text[match.start("name"):])
            assert surname is not None
            span = match.start(), match.start("name") + surname.end()
        if span and any(len(w) > 1 for w in words):
            yield TextFinding("person_name", span[0], span[1], 0.8)
    for match in _SINGLE_GIVEN.finditer(text):
        word = match.group("name")
        if word in names.given and word.lower() not in _NOT_SINGLE_NAMES:
            yield TextFinding("person_name", match.start("name"), match.end("name"), 0.5)
    for match in _ACTING.finditer(text):
        if _acts_as_person(names, match.group("name"), possessive=match.group("possessive") is not None):
            yield TextFinding("person_name", match.start("name"), match.end("name"), 0.5)
    for match in _PAIR.finditer(text):
        first, last, middle = match.group("given"), match.group("family"), match.group("middle")
        if not _pair_is_name(names, first, last):
            continue
        if middle and middle not in names.any_given and middle not in names.any_family:
            continue
        yield TextFinding("person_name", match.start("name"), match.end("name"), 0.7)


def _acts_as_person(names: Gazetteer, word: str, *, possessive: bool) -> bool:
    """A lone capitalised word doing what a child does ("Jack enjoys", "Ananya finds") or having what a child has
    ("Grace's mum"): a name the lists lack (no English word at all), or a name that is also an everyday word but not
    one of the commonest ("Jack", not "Will" or "Hope"); those only with a possessive ("Grace's mum")."""
    lower = word.lower()
    if lower in _NOT_NAME_WORDS or lower in _NOT_SINGLE_NAMES or len(word) < 3:
        return False
    count = english_count(word)
    if word in names.given or count < RARE_WORD_COUNT:
        return True
    if word in names.any_given:
        return possessive or (lower not in _COMMON_WORD_NAMES and count < ACTING_NAME_COUNT)
    return False


def _pair_is_name(names: Gazetteer, first: str, last: str) -> bool:
    """Two capitalised words that name a person: both from the name lists, unless both are also everyday words
    ("Will Power", "Rose Hill"); or one from the lists that is no everyday word beside one that is no English word
    at all ("Kayden Chaudhry", "Sophia Okonkwo")."""
    if first.lower() in _NOT_NAME_WORDS or last.lower() in _NOT_NAME_WORDS:
        return False
    if first in names.any_given and last in names.any_family:
        return not (is_common_word(first) and is_common_word(last))
    if first in names.given and english_count(last) < RARE_WORD_COUNT:
        return True
    return last in names.family and english_count(first) < RARE_WORD_COUNT


_CAPITALISED_PAIR = re.compile(r"(?<![\w'\u2019-])(?P<given>[A-Z][a-z]{1,14})[ ]+(?P<family>[A-Z][a-z]{1,19})(?![\w-])")


def _near_name(word: str, names: frozenset[str], choices: list[str]) -> bool:
    """The word is a name in the lists, or no English word that one or two letters misread away is one."""
    if word in names:
        return True
    if english_count(word) or len(word) < 3:
        return False
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    cutoff = 1 if len(word) <= 5 else 2
    return process.extractOne(word, choices, scorer=Levenshtein.distance, score_cutoff=cutoff) is not None


@lru_cache(maxsize=1)
def _name_choices() -> tuple[list[str], list[str]]:
    names = gazetteer()
    return sorted(names.any_given), sorted(names.any_family)


def misread_names(text: str) -> list[TextFinding]:
    """Names in handwriting OCR read a letter or two wrong ("Rhan Wde", "Anelia Prithard", "Grace Polerts"): two
    capitalised words, each a name in the lists or no English word within a letter or two of one, at least one of
    them misread. Only for pictures OCR could not vouch for; a weak 0.5, like a lone name."""
    names = gazetteer()
    givens, families = _name_choices()
    found = []
    for match in _CAPITALISED_PAIR.finditer(text):
        given, family = match.group("given"), match.group("family")
        if given in names.any_given and family in names.any_family:
            continue  # the pair rule's to judge
        if given.lower() in _NOT_NAME_WORDS or family.lower() in _NOT_NAME_WORDS:
            continue
        if _near_name(given, names.any_given, givens) and _near_name(family, names.any_family, families):
            found.append(TextFinding("person_name", match.start(), match.end(), 0.5))
    return found


# --- Addresses ----------------------------------------------------------------------------------

_STREET_TYPES = (
    r"Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Cl|Drive|Dr|Way|Crescent|Cres|Grove|Gardens|Gdns|Place|"
    r"Court|Ct|Terrace|Tce|Square|Sq|Hill|Park|Walk|Row|Mews|Rise|View|Green|Parade|Boulevard|Chase|"
    r"Croft|Meadow|Meadows|Fold|Vale|Wharf|Yard|Hollow|Gate|End"
)
_STREET_ADDRESS = re.compile(
    r"(?<![\w/.:£$-])(?:(?:Flat|Apartment|Unit)\s+\d{1,4}[A-Za-z]?,?\s+)?"
    r"\d{1,4}[A-Za-z]?(?:-\d{1,4})?,?[ ]+"
    r"(?:[A-Z][a-z'\u2019]+[ ]+){1,3}"
    rf"(?:{_STREET_TYPES})\b\.?"
)
# "Flat 11b, Sycamore House": flats in named blocks have no street number.
_FLAT_IN_BUILDING = re.compile(
    r"\b(?:Flat|Apartment|Apt\.?)\s+\d{1,4}[A-Za-z]?,?\s+(?:[A-Z][a-z'\u2019]+[ ]+){1,3}"
    r"(?:House|Court|Lodge|Mansions|Towers?|Heights|Buildings|Point|Cottages?)\b"
)
_ADDRESS_WORD = (
    r"(?<![\w-])(?<!e-mail )(?<!email )(?<!web )(?<!ip )(?<!website )(?<!return )"
    r"(?:(?:home|current|previous|correspondence|postal|family|child's|parent's|carer's)\s+)?address"
    r"(?:\s+line\s*1)?"
)
# "Address:" anywhere; "Address" alone on a line (a table cell, value below); "lives at ..." in prose.
_ADDRESS_LABEL = re.compile(
    rf"(?i:{_ADDRESS_WORD}[ \t]*[:\-\u2013][ \t]*|(?m:^)[ \t]*{_ADDRESS_WORD}[ \t]*\n[ \t]*"
    r"|\b(?:lives|living|resides|residing)\s+at[ \t]+)"
    r"(?P<value>[^\W_][^\n]{3,119})"
)
_EMPTY_VALUE = re.compile(
    r"^\W*(?:redacted|withheld|not\s+(?:known|given|disclosed|applicable)|n/?a|none|tbc|see\s|as\s+above|"
    r"\[.*\]|x+\b|held\s+by|on\s+file|home\b|school\b)",
    re.IGNORECASE,
)


_STREET_WORD = re.compile(rf"\b(?:{_STREET_TYPES}|Cottage|House|Farm|Lodge|Barn|Mill)\b")
_TITLE_WORD = re.compile(r"\b[A-Z][a-z]+\b")


def _looks_like_address(value: str) -> bool:
    """A house number, a street or house word, or named lines ("Rose Cottage, Otley"); not any prose."""
    if re.search(r"\d", value) or _STREET_WORD.search(value):
        return True
    return "," in value and len(_TITLE_WORD.findall(value)) >= 2


def _address(text: str) -> Iterator[TextFinding]:
    for match in _STREET_ADDRESS.finditer(text):
        yield TextFinding("address", match.start(), match.end(), 0.85)
    for match in _FLAT_IN_BUILDING.finditer(text):
        yield TextFinding("address", match.start(), match.end(), 0.8)
    for match in _ADDRESS_LABEL.finditer(text):
        value = match.group("value")
        if _EMPTY_VALUE.match(value) or not _looks_like_address(value):
            continue
        start = match.start("value")
        yield TextFinding("address", start, start + len(value.rstrip(" .;,")), 0.9)


# --- All together -------------------------------------------------------------------------------

DETECTORS: tuple[Callable[[str], Iterator[TextFinding]], ...] = (
    _nhs, _upn, _ni_number, _postcode, _phone, _email, _date_of_birth, _person_name, _address,
)  # fmt: skip


def _merge_same_kind(findings: list[TextFinding]) -> list[TextFinding]:
    """Overlapping findings of one kind become one, spanning both, at the higher confidence."""
    merged: list[TextFinding] = []
    for finding in sorted(findings, key=lambda f: (f.kind, f.start, -f.end)):
        last = merged[-1] if merged else None
        if last and last.kind == finding.kind and finding.start < last.end:
            merged[-1] = TextFinding(
                last.kind, last.start, max(last.end, finding.end), max(last.confidence, finding.confidence)
            )
        else:
            merged.append(finding)
    return merged


# Identifiers that wrap onto the next line in a narrow column or a table cell ("0113 496" / "1120", "81 Church" /
# "Close"): looked for again with each line break inside a paragraph read as a space.
_WRAPPING = (_nhs, _ni_number, _phone, _date_of_birth, _address)
_LINE_BREAK_IN_PARAGRAPH = re.compile(r"(?<=\S)[ \t]*\n(?=[ \t]*\S)")
_WRAP_MARGIN = 60


def _wrapped(text: str) -> Iterator[TextFinding]:
    """Findings that exist only when a paragraph's line breaks are read as spaces (offsets are the text's own).

    Every kind that wraps carries digits, so only the breaks with a digit close by are looked at, each in a window
    of the text around it: the page is not read twice."""
    windows: list[list[int]] = []
    for match in _LINE_BREAK_IN_PARAGRAPH.finditer(text):
        if not re.search(r"\d", text[max(0, match.start() - 30) : match.end() + 30]):
            continue
        start, end = max(0, match.start() - _WRAP_MARGIN), min(len(text), match.end() + _WRAP_MARGIN)
        if windows and start <= windows[-1][1]:
            windows[-1][1] = end
        else:
            windows.append([start, end])
    for start, end in windows:
        window = text[start:end]
        joined = _LINE_BREAK_IN_PARAGRAPH.sub(lambda match: " " * len(match.group(0)), window)
        for detector in _WRAPPING:
            for finding in detector(joined):
                head, newline, _ = window[finding.start : finding.end].partition("\n")
                # the break falls inside the identifier; in an address after a word of its street ("81 Church" /
                # "Close"), not after a stray number ending the line above ("Flat 5" / "Dear Mrs Green")
                if newline and len(head.split()) >= (2 if finding.kind == "address" else 1):
                    yield TextFinding(finding.kind, start + finding.start, start + finding.end, finding.confidence)


def scan_text(text: str) -> list[TextFinding]:
    """Every identifier found in the text, sorted by position then kind."""
    found = [finding for detector in DETECTORS for finding in detector(text)]
    found += _wrapped(text)
    # A birth date is also a date and a phone-like run may be an NHS number: the stronger reading wins.
    nhs_spans = [(f.start, f.end) for f in found if f.kind in ("nhs_number", "upn")]
    found = [
        f for f in found if not (f.kind == "phone" and any(s < f.end and f.start < e for s, e in nhs_spans))
    ]
    return sorted(_merge_same_kind(found), key=lambda f: (f.start, f.end, f.kind))
