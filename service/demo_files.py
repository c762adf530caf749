"""The demo's documents: an anonymised educational psychology advice (PDF), a draft plan that passes the automated
QA checks (DOCX, with its PDF rendition) and the writer's front sheet, for the README's journey.

Written here from plain text (no test-only libraries), so `planwright demo files DIR` works on a fresh install.
Everything in them is invented and anonymised as an LA would send it: "Child A", no names, dates of birth,
addresses, postcodes, phone numbers or NHS numbers.
"""

from __future__ import annotations

import io
import textwrap

ADVICE_TITLE = "Educational Psychology Advice (Regulation 6(1)(d)), EHC needs assessment"

ADVICE_PAGES: list[list[str]] = [
    [
        ADVICE_TITLE,
        "",
        "Child: Child A (anonymised). Year group: Year 3. Case reference: supplied by the LA with the bundle.",
        "Advice given by: the link educational psychologist for the school.",
        "Sources: consultation with the class teacher and the SENCO, observation in class and at lunchtime, "
        "individual assessment over two sessions, the parents' views and Child A's own views.",
        "",
        "1. Background",
        "Child A lives with both parents and an older sibling and attends the local mainstream primary school. "
        "The school has used SEN support for two years, including a small-group phonics intervention and a "
        "social skills group, with limited progress. A diagnosis of autism was given by the community "
        "paediatric team last year.",
        "",
        "2. Child A's views",
        "Child A told me that he likes dinosaurs, swimming and building models. He said: 'I like it when my "
        "teacher shows me pictures. Playtime is too loud.' He would like to have a friend to play with and "
        "wants to work at a zoo when he is older.",
        "",
        "3. The parents' views",
        "His parents describe a kind and funny boy who is anxious about change. They would like him to make "
        "friends, to read for pleasure and to feel safe at school.",
    ],
    [
        "4. Assessment and findings",
        "Communication and interaction: Child A finds it hard to start and keep a conversation with peers. "
        "His expressive language is below that expected for his age; he uses short sentences and relies on "
        "adults to repair misunderstandings.",
        "Cognition and learning: his verbal reasoning is in the average range, but his working memory and "
        "processing speed are well below average. He is working below age-related expectations in reading "
        "and writing; his phonic knowledge is secure to Phase 3.",
        "Social, emotional and mental health: Child A becomes anxious at unstructured times and can leave "
        "the classroom when overwhelmed. A visual timetable and a calm space help him to return to learning.",
        "Sensory and physical: no difficulties were seen beyond a sensitivity to noise in busy spaces.",
        "",
        "5. Outcomes I recommend",
        "By the end of Key Stage 2, Child A will start a conversation with a familiar peer and take three "
        "turns in 4 out of 5 observed sessions.",
        "By July 2028, Child A will read and spell all Phase 5 phonemes accurately.",
        "Within 12 months, Child A will use his calm box independently to regulate himself when anxious.",
        "",
        "6. Provision I recommend",
        "A weekly 45-minute individual session with a speech and language therapist, who also writes a "
        "programme for school staff; a trained teaching assistant delivering that programme for 20 minutes "
        "three times a week.",
        "Daily 20-minute phonics sessions in a group of no more than four pupils, led by a teacher trained "
        "in a systematic synthetic phonics programme.",
        "A named key adult to meet Child A for a 10-minute check-in at the start of each school day, and an "
        "ELSA session of 30 minutes weekly for two terms.",
        "",
        "Educational Psychologist, HCPC registered. This advice is for the EHC needs assessment only.",
    ],
]

SECTIONS: list[tuple[str, list[str]]] = [
    ("Section A: Views, interests and aspirations", [
        "Child A is a cheerful eight-year-old who loves dinosaurs, swimming and building models.",
        "Child A says: 'I like it when my teacher shows me pictures. I want to work at a zoo.'",
        "His parents would like him to make friends, to read for pleasure and to feel safe at school.",
    ]),
    ("Section B: Special educational needs", [
        "Communication and interaction",
        "Child A has a diagnosis of autism. He finds it hard to start and keep a conversation with peers and his "
        "expressive language is below that expected for his age.",
        "Cognition and learning",
        "Child A is working below age-related expectations in reading and writing; his phonic knowledge is secure "
        "to Phase 3.",
        "Social, emotional and mental health",
        "Child A becomes anxious at unstructured times and can leave the classroom when overwhelmed.",
    ]),
    ("Section C: Health needs", ["Child A has no identified health needs related to his special educational needs."]),
    ("Section D: Social care needs", ["Child A has no identified social care needs."]),
    ("Section E: Outcomes", [
        "Communication and interaction",
        "By the end of Key Stage 2, Child A will start a conversation with a familiar peer and take three turns in "
        "4 out of 5 observed sessions.",
        "Cognition and learning",
        "By July 2028, Child A will read and spell all Phase 5 phonemes accurately.",
        "Social, emotional and mental health",
        "Within 12 months, Child A will use his calm box independently to regulate himself when anxious.",
    ]),
    ("Section F: Special educational provision", [
        "Communication and interaction",
        "A speech and language therapist will deliver a 45-minute individual session weekly, and write a programme "
        "for school staff.",
        "A trained teaching assistant will deliver the therapist's programme for 20 minutes three times a week.",
        "Cognition and learning",
        "Daily 20-minute phonics sessions in a group of no more than four pupils, led by a teacher trained in a "
        "systematic synthetic phonics programme.",
        "Social, emotional and mental health",
        "A named key adult will meet Child A for a 10-minute check-in at the start of each school day.",
        "An ELSA will deliver a 30-minute session weekly for two terms, focusing on naming feelings.",
    ]),
    ("Section G: Health provision", [
        "An occupational therapist from the children's therapy service will review his sensory needs once a term.",
    ]),
    ("Section H1: Social care provision under section 2 of the Chronically Sick and Disabled Persons Act 1970",
     ["No social care provision is made under section 2 of the CSDPA 1970."]),
    ("Section H2: Other social care provision", ["No other social care provision is required."]),
    ("Section I: Placement", ["To be named in the final plan following consultation."]),
    ("Section J: Personal budget", ["No personal budget has been requested."]),
    ("Section K: Advice and information", [
        "Appendix 1: Parental advice",
        "Appendix 2: Educational psychology advice",
        "Appendix 3: Speech and language therapy advice",
    ]),
]
SUBHEADINGS = frozenset({"Communication and interaction", "Cognition and learning",
                         "Social, emotional and mental health"})
COVER = ["Education, Health and Care Plan (draft)", "Child A"]

FRONT_SHEET: dict[str, object] = {
    "queries": [],
    "missing_advice": ["Health advice from the community paediatric team was not in the bundle."],
    "notes": "Section I is left for the LA. Drafted from the educational psychology advice.",
}


def text_pdf(pages: list[list[str]], *, width: int = 92) -> bytes:
    """A PDF of plain text pages (Helvetica, A4, lines wrapped at `width` characters), with no metadata: one
    content stream per page, the cross-reference table counted as it is written. ASCII text only."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]  # the page tree is filled in below
    font = 3
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    kids: list[int] = []
    for page in pages:
        lines: list[str] = []
        for paragraph in page:
            lines += textwrap.wrap(paragraph, width) or [""]
        ops = ["BT", "/F1 10 Tf", "14 TL", "56 790 Td"]
        for line in lines:
            escaped = line.encode("ascii").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
            ops.append(f"({escaped.decode('ascii')}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("ascii")
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content = len(objects)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                       b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (content, font))
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def advice_pdf() -> bytes:
    return text_pdf(ADVICE_PAGES)


def draft_docx() -> bytes:
    """The draft plan: every section A to K under its heading, the golden thread from needs to outcomes to
    provision, provision quantified, and one warning left for the QA reviewer (occupational therapy in G only)."""
    from docx import Document

    document = Document()
    document.core_properties.author = ""
    document.core_properties.last_modified_by = ""
    for line in COVER:
        document.add_paragraph(line)
    for heading, paragraphs in SECTIONS:
        document.add_heading(heading, level=1)
        for text in paragraphs:
            if text in SUBHEADINGS:
                document.add_heading(text, level=2)
            else:
                document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def draft_pdf() -> bytes:
    """The draft's PDF rendition, as a writer's word processor would export it."""
    page: list[str] = [*COVER, ""]
    for heading, paragraphs in SECTIONS:
        page += [heading, *paragraphs, ""]
    half = len(page) // 2
    return text_pdf([page[:half], page[half:]])
