"""Report tables as PDF (reportlab platypus): a title, a few lines saying what the report covers,
and a table whose header repeats on every page, with page numbers."""

import io
from pathlib import Path

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

_FONT_FILES = [
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
]
_fonts: tuple[str, str] | None = None


def fonts() -> tuple[str, str]:
    """A regular and a bold font that print any client's name (accents included)."""
    global _fonts
    if _fonts is None:
        import reportlab

        bundled = Path(reportlab.__file__).parent / "fonts"
        _fonts = ("Helvetica", "Helvetica-Bold")
        for regular, bold in [*_FONT_FILES, (bundled / "Vera.ttf", bundled / "VeraBd.ttf")]:
            if Path(regular).exists() and Path(bold).exists():
                pdfmetrics.registerFont(TTFont("ReportSans", str(regular)))
                pdfmetrics.registerFont(TTFont("ReportSans-Bold", str(bold)))
                _fonts = ("ReportSans", "ReportSans-Bold")
                break
    return _fonts


def table_pdf(
    *,
    title: str,
    lines: list[str],
    header: list[str],
    rows: list[list[str]],
    widths: list[float],
    row_height: float | None = None,
    footer_rows: list[list[str]] | None = None,
) -> bytes:
    """A landscape letter PDF. `widths` in inches; `row_height` (points) leaves room to sign."""
    regular, bold = fonts()
    cell = ParagraphStyle("cell", fontName=regular, fontSize=9, leading=11)
    head = ParagraphStyle("head", parent=cell, fontName=bold)
    line_style = ParagraphStyle("line", parent=cell, fontSize=10)
    body = [
        Paragraph(title, ParagraphStyle("title", fontName=bold, fontSize=16, leading=20)),
        *[Paragraph(_escape(line), line_style) for line in lines],
        Spacer(1, 0.15 * inch),
    ]
    data = [[Paragraph(_escape(h), head) for h in header]]
    data += [[Paragraph(_escape(str(v)), cell) for v in row] for row in rows]
    data += [[Paragraph(_escape(str(v)), head) for v in row] for row in footer_rows or []]
    heights = None
    if row_height is not None:
        heights = [None] + [row_height] * len(rows) + [None] * len(footer_rows or [])
    table = Table(data, colWidths=[w * inch for w in widths], rowHeights=heights, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#6b7280")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e5e7eb")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    body.append(table)
    buffer = io.BytesIO()
    printed = timezone.localtime().strftime("%m/%d/%Y %I:%M %p")

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.drawString(0.5 * inch, 0.35 * inch, f"{title}. Printed {printed}.")
        canvas.drawRightString(10.5 * inch, 0.35 * inch, f"Page {doc.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(letter),
        leftMargin=0.5 * inch,
        rightMargin=0.5 * inch,
        topMargin=0.5 * inch,
        bottomMargin=0.6 * inch,
        title=title,
    )
    document.build(body, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _escape(text: str) -> str:
    # Paragraph reads a little markup: names and comments are text, not tags.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
