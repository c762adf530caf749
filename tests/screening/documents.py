"""Real PDF and DOCX files built for the tests: reportlab pages, python-docx parts, raw revision XML."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field

from docx import Document
from docx.oxml import parse_xml
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
V_NS = "urn:schemas-microsoft-com:vml"


def make_pdf(pages: Sequence[str], *, author: str | None = None, user_password: str | None = None) -> bytes:
    """A PDF with one reportlab page per string (lines at the string's line breaks)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    if author:
        canvas.setAuthor(author)
        canvas.setTitle("Advice report")
    for text in pages:
        y = 800
        for line in text.split("\n"):
            canvas.drawString(50, y, line)
            y -= 14
            if y < 40:
                canvas.showPage()
                y = 800
        canvas.showPage()
    canvas.save()
    data = buffer.getvalue()
    if author:
        data = _with_xmp_creator(data, author)
    if user_password is not None:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        writer.encrypt(
            user_password=user_password, owner_password="owner-" + user_password, algorithm="AES-128"
        )
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
    return data


def _with_xmp_creator(data: bytes, creator: str) -> bytes:
    xmp = (
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:creator><rdf:Seq><rdf:li>{creator}</rdf:li></rdf:Seq></dc:creator>"
        '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.xmp_metadata = xmp  # type: ignore[assignment]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@dataclass
class DocxSpec:
    """What goes where in a generated Word file; every field is optional."""

    body: list[str] = field(default_factory=list)
    table: list[tuple[str, str]] = field(default_factory=list)
    nested_cell_text: str | None = None
    header: str | None = None
    footer: str | None = None
    comment: tuple[str, str] | None = None  # (comment text, author)
    inserted: tuple[str, str] | None = None  # (inserted text, author)
    deleted: tuple[str, str] | None = None  # (deleted text, author)
    footnote: str | None = None
    text_box: str | None = None
    after_page_break: list[str] = field(default_factory=list)
    author: str | None = None
    last_modified_by: str | None = None


def make_docx(spec: DocxSpec) -> bytes:
    document = Document()
    properties = document.core_properties
    properties.author = spec.author or ""
    properties.last_modified_by = spec.last_modified_by or ""
    for text in spec.body:
        document.add_paragraph(text)
    if spec.table:
        table = document.add_table(rows=len(spec.table) + 1, cols=2)
        for row, (label, value) in enumerate(spec.table):
            table.cell(row, 0).text = label
            table.cell(row, 1).text = value
        if spec.nested_cell_text:
            inner = table.cell(len(spec.table), 1).add_table(rows=1, cols=1)
            inner.cell(0, 0).text = spec.nested_cell_text
    section = document.sections[0]
    if spec.header:
        section.header.paragraphs[0].text = spec.header
    if spec.footer:
        section.footer.paragraphs[0].text = spec.footer
    if spec.comment:
        paragraph = document.add_paragraph("The school reports good progress in reading.")
        document.add_comment(paragraph.runs[0], text=spec.comment[0], author=spec.comment[1], initials="XX")
    if spec.inserted or spec.deleted:
        paragraph = document.add_paragraph("Agreed changes: ")
        if spec.inserted:
            paragraph._p.append(
                parse_xml(
                    f'<w:ins xmlns:w="{W_NS}" w:id="901" w:author="{spec.inserted[1]}" '
                    f'w:date="2025-01-10T09:00:00Z"><w:r><w:t xml:space="preserve">{spec.inserted[0]}</w:t>'
                    "</w:r></w:ins>"
                )
            )
        if spec.deleted:
            paragraph._p.append(
                parse_xml(
                    f'<w:del xmlns:w="{W_NS}" w:id="902" w:author="{spec.deleted[1]}" '
                    f'w:date="2025-01-10T09:00:00Z"><w:r><w:delText xml:space="preserve">{spec.deleted[0]}'
                    "</w:delText></w:r></w:del>"
                )
            )
    if spec.text_box:
        paragraph = document.add_paragraph()
        paragraph._p.append(
            parse_xml(
                f'<w:r xmlns:w="{W_NS}" xmlns:v="{V_NS}"><w:pict><v:shape style="width:200pt;height:50pt">'
                f"<v:textbox><w:txbxContent><w:p><w:r><w:t>{spec.text_box}</w:t></w:r></w:p>"
                "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
            )
        )
    if spec.footnote:
        paragraph = document.add_paragraph("See the note.")
        paragraph._p.append(parse_xml(f'<w:r xmlns:w="{W_NS}"><w:footnoteReference w:id="1"/></w:r>'))
    if spec.after_page_break:
        document.add_page_break()
        for text in spec.after_page_break:
            document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    data = buffer.getvalue()
    return _add_footnotes(data, spec.footnote) if spec.footnote else data


def _add_footnotes(data: bytes, text: str) -> bytes:
    footnotes = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes xmlns:w="{W_NS}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        f'<w:footnote w:id="1"><w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p></w:footnote>'
        "</w:footnotes>"
    ).encode()
    return rewrite_zip(
        data,
        add={"word/footnotes.xml": footnotes},
        edit={
            "[Content_Types].xml": lambda xml: xml.replace(
                b"</Types>",
                b'<Override PartName="/word/footnotes.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>',
            ),
            "word/_rels/document.xml.rels": lambda xml: xml.replace(
                b"</Relationships>",
                b'<Relationship Id="rIdFoot1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                b'relationships/footnotes" Target="footnotes.xml"/></Relationships>',
            ),
        },
    )


def rewrite_zip(data: bytes, *, add: dict[str, bytes] | None = None, edit: dict | None = None) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if edit and info.filename in edit:
                content = edit[info.filename](content)
            target.writestr(info.filename, content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def all_xml(data: bytes) -> str:
    """Every XML part of a DOCX, concatenated, for grepping."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "\n".join(
            archive.read(name).decode("utf-8", errors="replace")
            for name in archive.namelist()
            if name.endswith((".xml", ".rels"))
        )
