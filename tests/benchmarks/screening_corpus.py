"""Seeded synthetic case bundles with planted identifiers and look-alikes, labelled for the screening bench.

Names are drawn from a hand-made list that mixes common British names with names from communities
Faker's lists barely cover, so the detectors' gazetteer (built from Faker) does not see its own answers.
"""

from __future__ import annotations

import io
import random
import textwrap
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from service.screening.detectors import POSTCODE_AREAS, UPN_LETTERS, nhs_number_valid

GIVEN = [
    "Oliver",
    "Amelia",
    "Jack",
    "Isla",
    "Harry",
    "Ava",
    "Charlie",
    "Mia",
    "Noah",
    "Freya",
    "Leo",
    "Evie",
    "Alfie",
    "Poppy",
    "Archie",
    "Sophia",
    "Oscar",
    "Grace",
    "Muhammad",
    "Aisha",
    "Zainab",
    "Yusuf",
    "Maryam",
    "Ibrahim",
    "Fatima",
    "Hamza",
    "Kacper",
    "Zofia",
    "Jakub",
    "Oliwia",
    "Oluwaseun",
    "Chidi",
    "Adaeze",
    "Tobi",
    "Priya",
    "Arjun",
    "Ananya",
    "Rohan",
    "Siobhan",
    "Ciaran",
    "Niamh",
    "Declan",
    "Rhys",
    "Cerys",
    "Dylan",
    "Ffion",
    "Callum",
    "Morag",
    "Kayden",
    "Tyler",
    "Jayden",
    "Skye",
    "Lacey",
    "Bailey",
    "Harvey",
    "Frankie",
    "Reggie",
    "Nevaeh",
    "Aaliyah",
    "Ayaan",
    "Sami",
    "Ionut",
    "Andrei",
]
FAMILY = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Patel",
    "Khan",
    "Begum",
    "Hussain",
    "Ahmed",
    "Ali",
    "Chaudhry",
    "Okafor",
    "Adeyemi",
    "Mensah",
    "Nowak",
    "Kowalczyk",
    "Wisniewski",
    "Popescu",
    "Murphy",
    "O'Brien",
    "McCarthy",
    "Gallagher",
    "MacLeod",
    "Fraser",
    "Llewellyn",
    "Pritchard",
    "Hughes",
    "Bibi",
    "Shah",
    "Iqbal",
    "Nguyen",
    "Osei",
    "Achterberg",
    "Fitzgerald",
    "Ramsbottom",
    "Sidebottom",
    "Whitehead",
]
STREETS = [
    "Elm",
    "Oak",
    "Cardigan",
    "Victoria",
    "Station",
    "Mill",
    "Church",
    "Manor",
    "Meadow",
    "Orchard",
    "Sycamore",
    "Beech",
    "Windsor",
    "Albion",
]
STREET_TYPES = [
    "Road",
    "Street",
    "Lane",
    "Avenue",
    "Close",
    "Drive",
    "Way",
    "Crescent",
    "Grove",
    "Gardens",
    "Terrace",
]
TOWNS = [
    "Leeds",
    "Bradford",
    "Wakefield",
    "Halifax",
    "Otley",
    "Ilkley",
    "Keighley",
    "Harrogate",
    "Barnsley",
    "Rotherham",
]
DOMAINS = ("gmail.com", "hotmail.co.uk", "outlook.com", "yahoo.co.uk", "btinternet.com", "icloud.com")
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

FILLER = [
    "Child A presents as a sociable young person who enjoys Lego, swimming and drawing.",
    "Child A's attention is variable; adult prompts are needed to begin independent tasks.",
    "Assessment was carried out over two sessions in a quiet room with the class teaching assistant present.",
    "On the BPVS-3 Child A obtained a standard score of 78, which is below the average range.",
    "Reading accuracy is at the 9th percentile and comprehension at the 5th percentile.",
    "Child A is working towards the expected standard for Key Stage 2 in reading and mathematics.",
    "Under section 21(5) of the Children and Families Act 2014, provision that educates or trains is "
    "special educational provision.",
    "The Code of Practice (2015) paragraph 9.69 requires provision to be detailed and specific.",
    "Regulation 12 of the SEND Regulations 2014 sets out the sections of the plan.",
    "The Speech and Language Therapist recommends 3 x 30 minute sessions per week delivered by a trained TA.",
    "The Educational Psychologist observed Child A in class and on the playground.",
    "An Occupational Therapist should review sensory needs within 6 months.",
    "Parents report that sleep has improved since the paediatric review in the spring term.",
    "Child A finds transitions difficult, particularly at the end of break time.",
    "The SENCO will coordinate a termly review with the class teacher and parents.",
    "Provision costs are estimated at £4,250 per year, including 10 hours of specialist teaching.",
    "Attendance this year is 91.4%, with 6 authorised absences for medical appointments.",
    "Progress is measured against the targets agreed in Section E of the plan.",
    "Child A communicates using short phrases and benefits from visual supports and Makaton signs.",
    "Fine motor skills are emerging; pencil grip remains immature for a child in Year 4.",
    "The family would like Child A to attend a mainstream secondary school with support.",
    "Child A told me that maths is 'the best' and that reading 'makes my head hurt'.",
    "Sessions will run from 09:15 to 09:45 on Mondays, Wednesdays and Fridays.",
    "The school's SEN support plan (Appendix C) lists the interventions tried since September.",
    "Child A's chronological age at assessment was 8 years 3 months (8y 3m); reading age 6:9.",
]
LOOKALIKES = [
    ("Date of report: {d}/{m:02d}/2025.", "report date"),
    ("The review meeting was held on {d} {month} 2025.", "meeting date"),
    ("LA case reference EHC/{y}/{n:05d}.", "case reference"),
    ("Our ref: SEN-{n:06d}-{y}.", "case reference"),
    ("ISBN 978-0-{n:06d}-3 describes the programme.", "isbn"),
    ("Page {d} of 14", "page number"),
    ("Key Stage {d} results are attached.", "key stage"),
    ("Child {letter} and Parent {letter2} attended.", "pseudonym"),
    ("Dear Parent/Carer,", "generic salutation"),
    ("Yours sincerely,\nEducational Psychology Service", "role signature"),
    ("Completed by: Specialist Teacher (Hearing Impairment)", "role label"),
    ("Name: Child A", "pseudonym label"),
    ("Account code {n:010d} was charged £{d},250.00.", "ten digit code"),
    ("Chronological age: {d}y {m}m", "age"),
    ("He was born at {d} weeks' gestation.", "gestation"),
    ("Session time {d}:{m:02d}-{d}:45.", "time"),
    ("Room {d}B, Block {letter}, is used for interventions.", "room"),
    ("Contact the SEND team on the number in the covering letter.", "no number"),
    ("Address: held by the LA", "withheld address"),
    ("Progress: {m}% of targets met at review {d}.", "percentage"),
    ("Band {letter}{d} funding (element 3).", "funding band"),
    ("Child A loves Harry Potter books and Paw Patrol.", "fiction"),
    (
        "Assessed with the Wechsler Intelligence Scale for Children and the British Picture Vocabulary "
        "Scale.",
        "test",
    ),
    ("Seen at Leeds General Infirmary and Alder Hey Children's Hospital.", "hospital"),
    ("See L v Clarke and Somerset [1998] ELR 129 and Worcestershire v SE [2020].", "case law"),
    (
        "Interventions: Jolly Phonics, Read Write Inc, Lego Therapy, Talk Boost and Zones of Regulation.",
        "programmes",
    ),
    ("Staffing is 2:1 on trips and 1:1 in unstructured times.", "ratios"),
    ("Childline 0800 1111 and NHS 111 are listed for the family.", "helplines"),
    ("The class visited Victoria Station and Roundhay Park on Monday Morning.", "places"),
    ("Sort code and account were not supplied; invoice {n:08d} was paid.", "invoice"),
    ("Dear Child A's parents,", "pseudonym salutation"),
    ("Annual review held 3/3/20{d:02d}; next review due March 2026.", "review date"),
    ("Thomas the Tank Engine and Peppa Pig are favourite programmes.", "tv"),
    ("St Mary's Catholic Primary and Oakwood Academy were consulted.", "schools"),
    ("Mr Men books are used for emotional literacy.", "book"),
    ("The Local Offer (www.leeds.gov.uk/send) lists Hanen and Elklan training.", "web"),
    ("Signed: Class Teacher, Year {d}", "role signature"),
    ("Mother's views: she feels the school listens.", "label without name"),
]


@dataclass
class Label:
    page: int
    kind: str
    value: str


@dataclass
class Bundle:
    pages: list[str]
    labels: list[Label] = field(default_factory=list)
    author: str | None = None
    deny_values: list[str] = field(default_factory=list)


def nhs_number(rng: random.Random, valid: bool = True) -> str:
    while True:
        first = [rng.randrange(10) for _ in range(9)]
        check = 11 - sum(d * w for d, w in zip(first, range(10, 1, -1), strict=True)) % 11
        check = 0 if check == 11 else check
        if check == 10:
            continue
        last = check if valid else (check + rng.randrange(1, 10)) % 10
        return "".join(map(str, [*first, last]))


def upn(rng: random.Random, temporary: bool = False, valid: bool = True) -> str:
    body = f"{rng.randrange(201, 939)}{rng.randrange(10000):04d}{rng.randrange(10, 26)}"
    body += (
        f"{rng.randrange(100):02d}{rng.choice(UPN_LETTERS)}" if temporary else f"{rng.randrange(1000):03d}"
    )
    total = sum((int(c) if c.isdigit() else UPN_LETTERS.index(c)) * p for p, c in enumerate(body, start=2))
    letter = UPN_LETTERS[total % 23]
    if not valid:
        letter = UPN_LETTERS[(total + rng.randrange(1, 23)) % 23]
    return letter + body


def ni_number(rng: random.Random) -> str:
    first = "ABCEGHJKLMNOPRSTWXYZ"
    second = "ABCEGHJKLMNPRSTWXYZ"
    while (prefix := rng.choice(first) + rng.choice(second)) in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}:
        pass
    digits = f"{rng.randrange(10**6):06d}"
    suffix = rng.choice("ABCD")
    if rng.random() < 0.5:
        return f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}"
    return f"{prefix}{digits}{suffix}"


def postcode(rng: random.Random) -> str:
    inward_letters = "ABDEFGHJLNPQRSTUWXYZ"
    area = rng.choice(sorted(POSTCODE_AREAS))
    shape = rng.randrange(3)
    district = str(rng.randrange(1, 10)) if shape == 0 else str(rng.randrange(10, 30))
    if shape == 2:
        district = str(rng.randrange(1, 10)) + rng.choice(
            "ABCDEFGHJKPSTUW" if len(area) == 1 else "ABEHMNPRVWXY"
        )
    return f"{area}{district} {rng.randrange(10)}{rng.choice(inward_letters)}{rng.choice(inward_letters)}"


def phone(rng: random.Random) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        return f"07{rng.choice('123457789')}{rng.randrange(100):02d} {rng.randrange(10**6):06d}"
    if kind == 1:
        return f"+44 7{rng.choice('12345789')}{rng.randrange(100):02d} {rng.randrange(10**6):06d}"
    if kind == 2:
        return f"0113 496 {rng.randrange(10000):04d}"
    if kind == 3:
        return f"020 7946 {rng.randrange(10000):04d}"
    if kind == 4:
        return f"01632 {rng.randrange(960000, 961000)}"
    return f"0{rng.choice(['300', '800', '808'])} {rng.randrange(100, 1000)} {rng.randrange(10000):04d}"


def person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(GIVEN), rng.choice(FAMILY)


def birth_date(rng: random.Random) -> str:
    day, month, year = rng.randrange(1, 29), rng.randrange(1, 13), rng.randrange(2008, 2022)
    style = rng.randrange(4)
    if style == 0:
        return f"{day:02d}/{month:02d}/{year}"
    if style == 1:
        suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}.get(day, "th")
        return f"{day}{suffix} {MONTHS[month - 1]} {year}"
    if style == 2:
        return f"{day} {MONTHS[month - 1][:3]} {year}"
    return f"{day}.{month}.{str(year)[2:]}"


def _planted(rng: random.Random) -> tuple[str, list[tuple[str, str]]]:
    """One sentence with one or more identifiers: (text, [(kind, value), ...])."""
    given, family = person(rng)
    choice = rng.randrange(28)
    if choice == 0:
        value = nhs_number(rng)
        shown = rng.choice(
            [f"{value[:3]} {value[3:6]} {value[6:]}", f"{value[:3]}-{value[3:6]}-{value[6:]}", value]
        )
        label = rng.choice(["NHS number:", "NHS No.", "NHS no", "GP records (NHS"])
        return f"{label} {shown}{')' if label.endswith('(NHS') else ''} are on file.", [("nhs_number", shown)]
    if choice == 1:
        value = upn(rng, temporary=rng.random() < 0.2)
        return f"{rng.choice(['UPN:', 'Unique Pupil Number', 'Pupil no.'])} {value}", [("upn", value)]
    if choice == 2:
        value = ni_number(rng)
        return f"Parent's National Insurance number {value} was given for the claim.", [("ni_number", value)]
    if choice == 3:
        code = postcode(rng)
        street = f"{rng.randrange(1, 200)} {rng.choice(STREETS)} {rng.choice(STREET_TYPES)}"
        return (
            f"The family moved to {street}, {rng.choice(TOWNS)} {code} last year.",
            [("address", street), ("postcode", code)],
        )
    if choice == 4:
        code = postcode(rng)
        return f"Home postcode {code} falls outside the catchment.", [("postcode", code)]
    if choice == 5:
        value = phone(rng)
        label = rng.choice(["Tel:", "Mum's mobile", "Please call", "Contact number"])
        return f"{label} {value} after 3pm.", [("phone", value)]
    if choice == 6:
        value = (
            f"{given.lower()}.{family.lower().replace(chr(39), '')}{rng.randrange(100)}@{rng.choice(DOMAINS)}"
        )
        return f"Parent email: {value}", [("email", value)]
    if choice == 7:
        value = birth_date(rng)
        label = rng.choice(["DOB:", "Date of birth", "D.O.B.", "Child A was born on", "born"])
        return f"{label} {value}.", [("date_of_birth", value)]
    if choice == 8:
        label = rng.choice(["Mother:", "Father:", "Name:", "Carer:", "Child's name:", "Parent:"])
        return f"{label} {given} {family}", [("person_name", f"{given} {family}")]
    if choice == 9:
        title = rng.choice(["Mrs", "Mr", "Ms", "Miss", "Dr"])
        return f"Dear {title} {family},", [("person_name", f"{title} {family}")]
    if choice == 10:
        return (
            f"Yours sincerely,\n{given} {family}\nEducational Psychologist",
            [("person_name", f"{given} {family}")],
        )
    if choice == 11:
        title = rng.choice(["Mrs", "Mr", "Ms", "Dr"])
        return f"I met with {title} {family} and the class teacher.", [("person_name", f"{title} {family}")]
    if choice == 12:
        # an unlabelled name in narrative: only a gazetteer can catch it
        return f"{given} {family} joined the group in October.", [("person_name", f"{given} {family}")]
    if choice == 13:
        street = f"{rng.randrange(1, 200)} {rng.choice(STREETS)} {rng.choice(STREET_TYPES)}"
        return f"Address: {street}, {rng.choice(TOWNS)}", [("address", street)]
    if choice == 14:
        value = phone(rng)
        sibling = rng.choice(GIVEN)
        return (
            f"Sibling: {sibling} ({rng.randrange(3, 15)}). Grandmother's number {value}.",
            [("person_name", sibling), ("phone", value)],
        )
    if choice == 16:
        # the child's own first name leaking into narrative, the commonest slip
        return f"{given} enjoys football and has made two new friends.", [("person_name", given)]
    if choice == 17:
        return f"Name of child: {given} {family}", [("person_name", f"{given} {family}")]
    if choice == 18:
        return f"{given}'s mum said the mornings are hardest.", [("person_name", given)]
    if choice == 19:
        value = phone(rng).replace(" ", "")
        return f"Mobile {value}", [("phone", value)]
    if choice == 20:
        street = (
            f"{rng.choice(['The Old Vicarage', 'Rose Cottage', 'Holly House'])}, {rng.choice(STREETS)} Lane"
        )
        return f"Home address: {street}, {rng.choice(TOWNS)}", [("address", street)]
    if choice == 22:
        code = postcode(rng).lower()  # typed in lower case on a form
        return f"postcode: {code}", [("postcode", code)]
    if choice == 23:
        value = rng.choice(["0113-496-", "(0113) 496 ", "07700-900-"]) + f"{rng.randrange(1000):03d}"
        value += "0" if value.startswith(("0113", "(0113")) else ""
        return f"Dad can be reached on {value}", [("phone", value)]
    if choice == 24:
        value = f"{given}.{family}@{rng.choice(DOMAINS)}".upper().replace("'", "")
        return f"EMAIL: {value}", [("email", value)]
    if choice == 25:
        day, month, year = rng.randrange(1, 29), rng.randrange(1, 13), rng.randrange(8, 22)
        value = rng.choice([f"{day}.{month}.20{year:02d}", f"{day:02d}-{month:02d}-{year:02d}"])
        return f"{rng.choice(['dob', 'Birth date:', 'Born:'])} {value}", [("date_of_birth", value)]
    if choice == 26:
        place = f"Flat {rng.randrange(1, 40)}{rng.choice('abc')}, {rng.choice(STREETS)} House"
        return f"The family now live in {place}, {rng.choice(TOWNS)}.", [("address", place)]
    if choice == 27:
        value = ni_number(rng).lower()
        return f"NI no. {value}", [("ni_number", value)]
    value = nhs_number(rng)
    return f"Hospital letter quotes NHS number {value[:3]} {value[3:6]} {value[6:]}.", [
        ("nhs_number", f"{value[:3]} {value[3:6]} {value[6:]}")
    ]


def _reference(rng: random.Random) -> str:
    """A case reference written like an NHS number ("866 663 0000") whose check digit fails, as a real one would
    ten times in eleven: a look-alike, not an NHS number the corpus forgot to label."""
    while True:
        digits = nhs_number(rng, valid=False)[:6] + "0000"
        if not nhs_number_valid(digits):
            return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def _lookalike(rng: random.Random) -> str:
    template, _ = rng.choice(LOOKALIKES)
    extra = rng.choice(
        [
            f"Reference {_reference(rng)}.",
            f"Old pupil record {upn(rng, valid=False)} (superseded).",
            f"Ref no. {nhs_number(rng, valid=False)}.",
        ]
    )
    text = template.format(
        d=rng.randrange(1, 28),
        m=rng.randrange(1, 12),
        y=rng.randrange(2019, 2026),
        n=rng.randrange(10**5),
        month=rng.choice(MONTHS),
        letter=rng.choice("ABCDEFGH"),
        letter2=rng.choice("ABCDEFGH"),
    )
    return extra if rng.random() < 0.15 else text


def make_bundle(rng: random.Random, pages: int, planted_per_page: float) -> Bundle:
    """A bundle of text pages: filler, look-alikes and, at the given rate, planted identifiers."""
    bundle = Bundle(pages=[])
    deny_school = f"{rng.choice(STREETS)}field {rng.choice(['Primary School', 'Academy', 'Infant School'])}"
    bundle.deny_values = [deny_school, f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"]
    for number in range(1, pages + 1):
        lines: list[str] = [f"Advice for Child A - page {number}"]
        for _ in range(rng.randrange(8, 14)):
            roll = rng.random()
            if roll < planted_per_page / 10:
                text, found = _planted(rng)
                lines.append(text)
                bundle.labels.extend(Label(number, kind, value) for kind, value in found)
            elif roll < planted_per_page / 10 + 0.25:
                lines.append(_lookalike(rng))
            elif roll < planted_per_page / 10 + 0.28:
                lines.append(f"Child A previously attended {deny_school}.")
                bundle.labels.append(Label(number, "denylisted", deny_school))
            else:
                lines.append(rng.choice(FILLER))
        bundle.pages.append("\n".join(lines))
    if rng.random() < 0.5:
        bundle.author = " ".join(person(rng))
        bundle.labels.append(Label(1, "metadata_person", bundle.author))
    return bundle


def render_pdf(bundle: Bundle, width: int = 95) -> bytes:
    """The bundle as a real PDF: A4 pages, 10pt Helvetica, lines wrapped at `width` characters."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setFont("Helvetica", 10)
    if bundle.author:
        canvas.setAuthor(bundle.author)
    for text in bundle.pages:
        y = 800
        canvas.setFont("Helvetica", 10)
        for paragraph in text.split("\n"):
            for line in textwrap.wrap(paragraph, width) or [""]:
                canvas.drawString(40, y, line)
                y -= 13
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def dense_page(rng: random.Random, number: int) -> str:
    """A full page of report prose (~45 lines) with the odd identifier, for throughput."""
    lines = [f"Educational Psychology Advice - page {number}"]
    while len(lines) < 30:
        lines.append(_planted(rng)[0] if rng.random() < 0.05 else rng.choice(FILLER))
    return "\n".join(lines)
