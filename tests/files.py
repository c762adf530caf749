"""Real documents made by the tests: PDFs through reportlab, DOCX through python-docx."""

from __future__ import annotations

import io

from docx import Document
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas


def make_pdf(pages: list[str]) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setAuthor("")
    for text in pages:
        y = 800
        for line in text.splitlines() or [""]:
            pdf.drawString(60, y, line)
            y -= 16
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def make_docx(paragraphs: list[str], *, author: str = "") -> bytes:
    document = Document()
    document.core_properties.author = author
    document.core_properties.last_modified_by = author
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TXT = "text/plain"

EP_REPORT = make_pdf([
    "Educational psychology advice for Child A\nCognition and learning: working memory is below average.",
    "Recommendations\nA structured literacy programme delivered by a trained TA for 30 minutes daily.",
])
SALT_REPORT = make_docx(["Speech and language therapy advice", "Child A has a receptive language difficulty."])
DRAFT_PLAN = make_docx(author="Writer Person", paragraphs=[
    "Section A: Views, interests and aspirations", "Child A enjoys drawing and wants to be an artist.",
    "Section B: Special educational needs", "Communication and interaction: receptive language difficulty.",
])
