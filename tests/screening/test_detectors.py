"""Identifier detectors: check digits, formats, context rules and look-alikes that must stay quiet."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.screening.detectors import (
    UPN_LETTERS,
    misread_names,
    misread_nhs_numbers,
    nhs_number_valid,
    scan_text,
    upn_check_letter,
)


def found(text: str, kind: str) -> list[str]:
    return [text[f.start : f.end] for f in scan_text(text) if f.kind == kind]


def nhs_with_check(first_nine: str) -> str | None:
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return None if check == 10 else first_nine + str(check)


# --- check-digit identifiers ---------------------------------------------------------------------


def test_nhs_number_with_valid_check_digit_is_flagged_in_any_common_layout() -> None:
    for layout in ("943 476 5919", "943-476-5919", "9434765919"):
        assert found(f"NHS number: {layout}.", "nhs_number") == [layout]


def test_nhs_number_with_wrong_check_digit_is_not_flagged() -> None:
    assert not nhs_number_valid("9434765918")
    assert found("NHS number: 943 476 5918", "nhs_number") == []


def test_nhs_number_whose_check_would_be_ten_is_never_valid() -> None:
    # 6 x weight 2 = 12, remainder 1, check 10: no final digit makes it valid
    assert all(not nhs_number_valid(f"000000006{d}") for d in "0123456789")


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_every_checksum_valid_nhs_number_is_found_and_a_corrupted_one_is_not(first_nine: str) -> None:
    number = nhs_with_check(first_nine)
    if number is None:
        return
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    assert found(f"NHS no: {spaced} (GP)", "nhs_number") == [spaced]
    wrong = number[:9] + str((int(number[9]) + 1) % 10)
    assert found(f"NHS no: {wrong[:3]} {wrong[3:6]} {wrong[6:]}", "nhs_number") == []


def test_upn_with_its_check_letter_is_flagged() -> None:
    assert upn_check_letter("801200005001") == "B"
    assert found("UPN: B801200005001", "upn") == ["B801200005001"]


def test_upn_with_wrong_check_letter_is_not_flagged() -> None:
    assert found("UPN: C801200005001", "upn") == []


def test_temporary_upn_ending_in_a_letter_is_flagged_when_its_check_letter_fits() -> None:
    body = "80120000500A"
    letter = upn_check_letter(body)
    assert letter is not None and letter in UPN_LETTERS
    assert found(f"Temporary UPN {letter}{body} issued", "upn") == [f"{letter}{body}"]
    wrong = UPN_LETTERS[(UPN_LETTERS.index(letter) + 1) % 23]
    assert found(f"Temporary UPN {wrong}{body} issued", "upn") == []


@pytest.mark.parametrize("nino", ["AB123456C", "AB 12 34 56 C", "JG 10 37 59 A", "ZA123456D"])
def test_national_insurance_number_is_flagged(nino: str) -> None:
    assert found(f"NI number {nino}.", "ni_number") == [nino]


@pytest.mark.parametrize(
    "nino",
    [
        "DA123456A",
        "FA123456A",
        "QA123456A",
        "AD123456A",
        "AO123456A",
        "BG123456A",
        "GB123456A",
        "NK123456A",
        "TN123456A",
        "ZZ123456A",
        "AB123456E",
    ],
)
def test_national_insurance_lookalikes_with_never_issued_prefixes_or_suffix_are_not_flagged(
    nino: str,
) -> None:
    assert found(f"Reference {nino}.", "ni_number") == []


# --- postcodes, phones, e-mail -------------------------------------------------------------------


@pytest.mark.parametrize("postcode", ["M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "W1A 0AX", "EC1A 1BB"])
def test_postcode_in_each_of_the_six_formats_is_flagged(postcode: str) -> None:
    assert found(f"Lives near {postcode} now.", "postcode") == [postcode]


@pytest.mark.parametrize("text", ["QQ1 1AA", "KX2 3AB", "SW1A 1CI", "AB1 1AO", "EC1I 1BB", "Q1A 0AX"])
def test_postcode_lookalikes_with_impossible_letters_are_not_flagged(text: str) -> None:
    assert found(f"Code {text} here", "postcode") == []


@pytest.mark.parametrize(
    "phone",
    [
        "07700 900123",
        "07700 900 123",
        "+44 7700 900123",
        "+44 (0)7700 900123",
        "020 7946 0000",
        "0161 496 0000",
        "01632 960000",
        "(01632) 960000",
        "0300 123 4567",
        "0800 123 4567",
        "0808 157 0192",
        "0800 123456",
    ],
)
def test_uk_phone_numbers_in_common_layouts_are_flagged(phone: str) -> None:
    assert found(f"Tel: {phone}.", "phone") == [phone]


@pytest.mark.parametrize("text", ["0700 000 0000", "0161 496 000", "01/02/2015", "10:30-11:45", "£1,250.00"])
def test_phone_lookalikes_are_not_flagged(text: str) -> None:
    assert found(f"See {text} here", "phone") == []


@pytest.mark.parametrize(
    "text",
    [
        "0909 879 0000",  # premium rate: a business line, as before
        "0845 123 4567",  # shared cost
        "07623 123456",  # a pager range, not a mobile
        "Childline 0800 1111",  # a short freephone helpline
        "1234567890",  # a bare run with no trunk 0 is a reference, whatever the plan would make of 01234 567890
        "07000 000000",  # personal numbering: not a line of its own
    ],
)
def test_numbers_the_plan_gives_no_person_are_not_flagged(text: str) -> None:
    assert found(f"Call {text} today", "phone") == []


def test_a_number_is_found_by_the_numbering_plan_not_by_its_shape() -> None:
    # eleven digits after 01, the shape of a phone, but London's 0171 was retired in 2000 and no area is 0100
    assert found("Tel 0171 946 0000", "phone") == []
    assert found("Tel 01001 234567", "phone") == []
    assert found("Mobile 07911 123456", "phone") == ["07911 123456"]
    # another country's number, written with its country code, is a phone all the same
    assert found("Aunt in Lyon: +33 1 23 45 67 89.", "phone") == ["+33 1 23 45 67 89"]
    assert found("Isle of Man mobile 07624 123456", "phone") == ["07624 123456"]


def test_a_upn_from_an_authority_missing_from_the_library_list_is_still_reported() -> None:
    known = next(f for f in scan_text("UPN: B801200005001") if f.kind == "upn")
    letter = upn_check_letter("838200005001")  # Dorset (838) is newer than python-stdnum's list of authorities
    assert letter is not None
    unknown = next(f for f in scan_text(f"UPN: {letter}838200005001") if f.kind == "upn")
    assert known.confidence == 0.99 and 0.8 <= unknown.confidence < known.confidence


def test_email_is_flagged_and_a_team_mailbox_with_less_confidence() -> None:
    text = "Contact jane.smith@example.co.uk or send@somewhere.gov.uk."
    findings = [f for f in scan_text(text) if f.kind == "email"]
    assert [text[f.start : f.end] for f in findings] == ["jane.smith@example.co.uk", "send@somewhere.gov.uk"]
    assert findings[0].confidence > findings[1].confidence


# --- dates of birth ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("DOB: 03/03/2015", "03/03/2015"),
        ("Date of birth 3rd March 2015", "3rd March 2015"),
        ("He was born on 14 February 2016 in Leeds", "14 February 2016"),
        ("D.O.B. 1.9.15", "1.9.15"),
        ("DOB\n12-11-2014", "12-11-2014"),
        ("born March 3rd, 2015", "March 3rd, 2015"),
    ],
)
def test_date_of_birth_is_flagged_only_in_birth_context(text: str, date: str) -> None:
    assert found(text, "date_of_birth") == [date]


@pytest.mark.parametrize(
    "text",
    [
        "Date of report: 03/03/2024",
        "Meeting held on 3rd March 2025",
        "Age: 8y 3m",
        "Chronological age 8:3",
        "born at 28 weeks' gestation",
        "DOB: 31/02/2015",
        "Review date 12/07/2025, born in 2015",
    ],
)
def test_dates_and_ages_outside_birth_context_are_not_flagged(text: str) -> None:
    assert found(text, "date_of_birth") == []


# --- names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Name: Jane Smith", "Jane Smith"),
        ("Mother: Sarah O'Brien", "Sarah O'Brien"),
        ("Father - Mark Jones-Whitley", "Mark Jones-Whitley"),
        ("Child's name: Oliver Hughes", "Oliver Hughes"),
        ("Carer: Mrs Denise Patel", "Mrs Denise Patel"),
        ("Name\nTyler McCarthy", "Tyler McCarthy"),
        ("Dear Mrs Okafor,", "Mrs Okafor"),
        ("Dear Priya,", "Priya"),
        ("Yours sincerely,\n\nDr Amelia Hughes\nEducational Psychologist", "Dr Amelia Hughes"),
        ("I spoke with Mr Bradshaw today.", "Mr Bradshaw"),
        ("In class, Harry Thompson sat with his friends.", "Harry Thompson"),
        # names English lists lack, from the families of English schools (Faker's lists for every Latin locale)
        ("I met Ava Wilson at school.", "Ava Wilson"),
        ("Isla enjoys her swimming lessons.", "Isla"),
        ("Re: Kayden Chaudhry, referral", "Kayden Chaudhry"),  # one half a name, the other no English word
        ("Zofia Nowak joined Year 3 in May.", "Zofia Nowak"),
        ("Grace Hughes attended.", "Grace Hughes"),  # an everyday word beside a surname
        ("Seen by Ms Green on Tuesday.", "Ms Green"),  # after a title, a surname even when it is a colour
    ],
)
def test_person_names_are_flagged_after_labels_salutations_signatures_titles_and_known_names(
    text: str, name: str
) -> None:
    assert name in found(text, "person_name")


@pytest.mark.parametrize(
    "text",
    [
        "Name: Child A",
        "Child: Child A",
        "Parent: Parent B",
        "Dear Parent/Carer,",
        "Dear Sir or Madam,",
        "Yours sincerely,\nEducational Psychologist",
        "Completed by: Speech and Language Therapist",
        "Signed: SENCO",
        "Key Stage 2 results",
        "Mrs A attended the meeting.",
        "Author: Educational Psychology Service",
        "May Day bank holiday",
        "Grace and Hope were the themes of the assembly.",
        "Name: [redacted]",
        "Will Power and Rose Hill",  # both halves everyday words
        "He loves Thomas the Tank Engine, Peppa Pig and Mr Tumble.",  # characters everyone knows
        "Harry Potter books are his favourite; he reads Roald Dahl with his mum.",
        "See L v Clarke and Somerset [1998] ELR 129 on specificity.",  # case law an adviser cites
        "St Helen's school replied.",
    ],
)
def test_roles_pseudonyms_and_ordinary_capitalised_words_are_not_names(text: str) -> None:
    assert found(text, "person_name") == []


# --- addresses -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("They live at 14 Elm Road with Gran.", "14 Elm Road"),
        ("Flat 3, 27 Upper Mill Lane", "Flat 3, 27 Upper Mill Lane"),
        ("Address: 5 The Paddocks, Little Snoring", "5 The Paddocks, Little Snoring"),
    ],
)
def test_addresses_are_flagged_by_street_words_or_label(text: str, address: str) -> None:
    assert address in found(text, "address")


@pytest.mark.parametrize(
    "text", ["Email address: redacted", "Address: withheld", "Page 3 Close reading", "in 2 Park sessions"]
)
def test_address_lookalikes_are_not_flagged(text: str) -> None:
    assert found(text, "address") == []


def test_a_professional_report_without_identifiers_raises_nothing() -> None:
    text = (
        "Educational Psychologist report for Child A (LA ref EHC/2024/00317).\n"
        "Page 3 of 12. Assessment date 12/03/2025, 10:30-11:15. Chronological age 8y 3m (8:3).\n"
        "Under s.21(5) CFA 2014 and Regulation 12 of the SEND Regulations 2014, provision is specified.\n"
        "Child A is working towards Key Stage 2 expectations; reading age 6:9; 45% of targets met.\n"
        "Recommended: 30 minutes of speech and language therapy weekly, delivered by a Speech and Language\n"
        "Therapist, costing £1,250 per term (ISBN 978-0-19-852663-6 sets out the approach; see 0198526636).\n"
        "The SENCO and the Class Teacher will review progress at the annual review in July 2026.\n"
        "Occupational Therapist advice (Appendix K) was received on 3 March 2025."
    )
    assert [(f.kind, text[f.start : f.end]) for f in scan_text(text)] == []


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=300))
def test_scan_text_never_fails_and_spans_stay_inside_the_text(text: str) -> None:
    for finding in scan_text(text):
        assert 0 <= finding.start < finding.end <= len(text)
        assert 0 < finding.confidence <= 1


def test_identifiers_typed_in_lower_case_on_forms_are_flagged_with_less_confidence() -> None:
    text = "postcode: ls6 2qt, NI no. ab 12 34 56 c"
    findings = {f.kind: (text[f.start : f.end], f.confidence) for f in scan_text(text)}
    assert findings["postcode"][0] == "ls6 2qt" and findings["postcode"][1] < 0.95
    assert findings["ni_number"][0] == "ab 12 34 56 c" and findings["ni_number"][1] < 0.97


def test_a_flat_in_a_named_block_is_an_address() -> None:
    assert found("They moved to Flat 11b, Sycamore House in May.", "address") == ["Flat 11b, Sycamore House"]


def test_a_lone_given_name_acting_in_a_sentence_is_a_weak_name_finding() -> None:
    text = "Oliver enjoys football. Oliver's mum agrees. St Helen's school replied."
    findings = [f for f in scan_text(text) if f.kind == "person_name"]
    assert [text[f.start : f.end] for f in findings] == ["Oliver", "Oliver"]
    assert all(f.confidence <= 0.5 for f in findings)


def test_name_of_child_label_is_read() -> None:
    assert found("Name of child: Tyler Brooks", "person_name") == ["Tyler Brooks"]


def test_an_address_label_quoted_in_prose_is_not_an_address() -> None:
    assert found('Labels ("Name:", "Address:"), in salutations, in metadata', "address") == []


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Address: Rose Cottage, Otley", True),
        ("Home address\nThe Old Vicarage, Church Lane", True),
        ("address: A string or integer, the IP address.", False),
        ("Address: Argument of Network/Interface", False),
    ],
)
def test_a_labelled_address_must_look_like_one(text: str, flagged: bool) -> None:
    assert bool(found(text, "address")) is flagged


def test_check_digits_in_other_scripts_digits_are_read_as_those_digits() -> None:
    assert upn_check_letter("\u0668\u0660\u0661\u0662\u0660\u0660\u0660\u0660\u0665\u0660\u0660\u0661") == "B"
    assert upn_check_letter("\u00b2" * 12) is None  # a superscript is a digit to str.isdigit, not a decimal
    assert found("NHS \u0669\u0664\u0663 \u0664\u0667\u0666 \u0665\u0669\u0661\u0669", "nhs_number")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Jack enjoys football and has made two new friends.", "Jack"),  # an everyday word, acting as a child does
        ("Ananya finds transitions hard.", "Ananya"),  # in no list, and no English word
        ("Grace's mum said the mornings are hardest.", "Grace"),  # a common word: only with a possessive
    ],
)
def test_a_lone_name_doing_what_a_child_does_is_a_weak_finding(text: str, name: str) -> None:
    assert found(text, "person_name") == [name]


@pytest.mark.parametrize(
    "text",
    ["Grace is one of the school's values.", "Will enjoys is not a sentence.", "Mum said she is tired.",
     "Maths needs daily practice.", "Behaviour needs a consistent plan.", "Makaton engages him.",
     "Phonics needs practice.", "Colour matters to him."],
)
def test_british_words_and_the_fields_words_doing_things_are_not_names(text: str) -> None:
    assert found(text, "person_name") == []


@pytest.mark.parametrize(
    ("text", "name"),
    [("Re: Ffion White, NHS number 657 816 5533", "Ffion White"),
     ("RE: Oliver BENNETT (DOB 3.4.2016)", "Oliver BENNETT"),
     ("Patient: Kayden Okonkwo", "Kayden Okonkwo")],
)
def test_a_letters_subject_line_names_whom_it_is_about(text: str, name: str) -> None:
    assert found(text, "person_name") == [name]


@pytest.mark.parametrize("text", ["Re: Annual review of the plan", "Subject: Speech and Language Therapy",
                                  "RE: EHCP draft"])
def test_a_subject_line_naming_a_matter_is_no_name(text: str) -> None:
    assert found(text, "person_name") == []


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [("Grandmother's number 0113 496\n1120.", "phone", "0113 496\n1120"),
     ("The family moved to 81 Church\nClose, Halifax.", "address", "81 Church\nClose"),
     ("Hospital letter quotes NHS number 943 476\n5919.", "nhs_number", "943 476\n5919"),
     ("She was born on 3 March\n2019 in Leeds.", "date_of_birth", "3 March\n2019"),
     ("Grandmother's number 07737\n836466.", "phone", "07737\n836466"),
     ("Parent's National Insurance number TE\n58 27 94 C was given.", "ni_number", "TE\n58 27 94 C")],
)
def test_identifiers_wrapped_onto_the_next_line_are_found(text: str, kind: str, value: str) -> None:
    assert found(text, kind) == [value]


def test_lines_of_separate_paragraphs_are_not_joined() -> None:
    assert found("Tel 0113 496\n\n1120 pupils attend.", "phone") == []
    assert found("Flat 5\nDear Mrs Green,", "address") == []


@pytest.mark.parametrize(
    ("text", "number"),
    [("NHS ne 573 669 2968", "573 669 2968"),  # a digit misread, the label too
     ("NHS no 591 048 942", "591 048 942"),  # a digit lost
     ("NH.S no 407 8.53 6018", "407 8.53 6018"),  # a speck read as a point
     ("NHS number: 943 476 5918", "943 476 5918")],
)
def test_numbers_ocr_misread_after_an_nhs_label_are_still_nhs_numbers(text: str, number: str) -> None:
    assert [text[f.start : f.end] for f in misread_nhs_numbers(text)] == [number]


@pytest.mark.parametrize("text", ["NHS Trust 0113 496 0000", "NHS 111 and Childline 0800 1111",
                                  "NHS no 943 476 5919", "NHS 2019 guidance 2020", "NHS No. 12 345 678"])
def test_what_is_no_misread_nhs_number(text: str) -> None:
    assert misread_nhs_numbers(text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [("Notes from home visit . Rhan Wde", "Rhan Wde"), ("Nots fom home visit . Grace Polerts", "Grace Polerts"),
     ("Seen with Anelia Prithard today", "Anelia Prithard")],
)
def test_names_handwriting_ocr_misread_are_names_in_doubtful_pictures(text: str, name: str) -> None:
    assert [text[f.start : f.end] for f in misread_names(text)] == [name]


@pytest.mark.parametrize("text", ["Notes from Home Visit and Key Stage", "Local Offer and Class Teacher",
                                  "Speech Language Therapist", "Oliver Bennett"])
def test_words_and_names_read_right_are_no_misread_names(text: str) -> None:
    assert misread_names(text) == []
