"""Community cards and check-in rosters as PDF.

Two card layouts: CR80 (85.6 x 54 mm, one card per page, for card printers) and a letter sheet of
ten 3.5 x 2 in business cards (2 x 5, for perforated card stock). Each card shows the agency, the
client's preferred name, the client ID, a Code 128 barcode of the card code with the code in text
beneath it, and a QR code of the same code. Barcodes are drawn by reportlab, not by hand.

The roster lists a batch's program (clients with an active enrollment on a date), sorted by last
name, each line with a scannable Code 128 of the client's card, for clients who left their card at
home; a client barred from the batch (the desk's rule) is marked BARRED instead, with no barcode.
Printing either is audited: who printed whose cards, when.
"""

import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import Lower
from django.utils import timezone
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import letter
from reportlab.lib.units import inch, mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from hmis.audit.models import AuditAction
from hmis.audit.recording import build_event, record_many
from hmis.clients.cards import format_code
from hmis.clients.eligibility import bars_for, judge_bars
from hmis.clients.models import Client, CommunityCard, Enrollment

CR80 = "cr80"
SHEET = "sheet"
LAYOUTS = {CR80: "Card printer (CR80, one card per page)", SHEET: "Letter sheet of 10 cards"}

CR80_SIZE = (85.6 * mm, 54 * mm)
# Business-card stock (Avery 5371 and the like): 3.5 x 2 in cards, 2 across, 5 down, 0.75 in side
# and 0.5 in top margins.
SHEET_CARD = (3.5 * inch, 2 * inch)
SHEET_COLUMNS, SHEET_ROWS = 2, 5
SHEET_MARGIN_X, SHEET_MARGIN_Y = 0.75 * inch, 0.5 * inch

# Code 128 module (narrowest bar) width: 0.33 mm prints and scans well; never below 0.19 mm.
MODULE = 0.33 * mm
MIN_MODULE = 0.19 * mm

CONFIDENTIAL = (
    "CONFIDENTIAL: contains client information. Keep it out of public view; shred it after use."
)


# --- Fonts: a TrueType font so accented and non-Latin names print (Helvetica has no "ễ"). -----


@dataclass(frozen=True)
class _Fonts:
    regular: str
    bold: str


_FONT_CANDIDATES = [
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
]
_fonts: _Fonts | None = None


def _load_fonts() -> _Fonts:
    global _fonts
    if _fonts is not None:
        return _fonts
    import reportlab

    bundled = Path(reportlab.__file__).parent / "fonts"
    candidates = [*_FONT_CANDIDATES, (str(bundled / "Vera.ttf"), str(bundled / "VeraBd.ttf"))]
    for regular, bold in candidates:
        if Path(regular).exists() and Path(bold).exists():
            pdfmetrics.registerFont(TTFont("CardSans", regular))
            pdfmetrics.registerFont(TTFont("CardSans-Bold", bold))
            _fonts = _Fonts("CardSans", "CardSans-Bold")
            return _fonts
    _fonts = _Fonts("Helvetica", "Helvetica-Bold")
    return _fonts


def _fit(text: str, font: str, size: float, width: float, smallest: float = 6) -> float:
    """The font size (at most `size`) at which `text` fits `width`."""
    while size > smallest and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _clip(text: str, font: str, size: float, width: float) -> str:
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


# --- Barcodes -------------------------------------------------------------------------------------


def _draw_code128(canvas: Canvas, code: str, *, x: float, y: float, width: float, height: float):
    """A Code 128 of `code`, left-aligned at (x, y), at most `width` wide. Returns its width."""
    modules = Code128(code, barWidth=1, barHeight=height, quiet=False, humanReadable=False).width
    module = max(MIN_MODULE, min(MODULE, width / modules))
    barcode = Code128(code, barWidth=module, barHeight=height, quiet=False, humanReadable=False)
    barcode.drawOn(canvas, x, y)
    return barcode.width


def _draw_qr(canvas: Canvas, code: str, *, x: float, y: float, size: float) -> None:
    widget = QrCodeWidget(code, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


# --- Cards ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CardFace:
    agency: str
    name: str
    client_id: int
    code: str


def agency_name(client: Client) -> str:
    org = client.organization
    return org.name if org else settings.HMIS_AGENCY_NAME


def card_face(card: CommunityCard) -> CardFace:
    client = card.client
    return CardFace(
        agency=agency_name(client) or "Community ID card",
        name=client.preferred_name or client.first_name or f"Client {client.pk}",
        client_id=client.pk,
        code=card.code,
    )


def _draw_card(canvas: Canvas, face: CardFace, *, x: float, y: float, w: float, h: float):
    fonts = _load_fonts()
    pad = 3.5 * mm
    inner = w - 2 * pad
    qr = min(h * 0.46, w * 0.3)
    # Agency across the top, with a rule beneath it.
    size = _fit(face.agency, fonts.bold, 9, inner)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(fonts.bold, size)
    canvas.drawString(x + pad, y + h - pad - 8, _clip(face.agency, fonts.bold, size, inner))
    canvas.setLineWidth(0.6)
    canvas.setStrokeColorRGB(0.35, 0.35, 0.35)
    canvas.line(x + pad, y + h - pad - 12, x + w - pad, y + h - pad - 12)
    # Name and client ID.
    size = _fit(face.name, fonts.bold, 16, inner, smallest=9)
    canvas.setFont(fonts.bold, size)
    canvas.drawString(x + pad, y + h - pad - 31, _clip(face.name, fonts.bold, size, inner))
    canvas.setFont(fonts.regular, 9.5)
    canvas.drawString(x + pad, y + h - pad - 45, f"Client ID {face.client_id}")
    # Code 128 bottom left with the code beneath it; QR bottom right.
    text_height = 9
    bar_y = y + pad + text_height + 2
    bar_height = min(14 * mm, (y + h - pad - 52) - bar_y)
    bar_width = _draw_code128(
        canvas, face.code, x=x + pad, y=bar_y, width=inner - qr - 3 * mm, height=bar_height
    )
    label = format_code(face.code)
    size = _fit(label, "Courier-Bold", 9, bar_width)
    canvas.setFont("Courier-Bold", size)
    canvas.drawCentredString(x + pad + bar_width / 2, y + pad + 1.5, label)
    _draw_qr(canvas, face.code, x=x + w - pad - qr + 4, y=y + pad - 4, size=qr)


def render_cards(
    cards: list[CommunityCard],
    *,
    layout: str,
    progress: Callable[[int, int, str], None] | None = None,
) -> bytes:
    """The PDF of `cards` (each with its client and the client's organization loaded).
    `progress(done, total, label)` is told after each card (a job's progress bar follows it)."""
    if layout not in LAYOUTS:
        raise ValueError(f"Unknown card layout {layout!r}.")
    faces = [card_face(card) for card in cards]
    buffer = io.BytesIO()
    page_size = CR80_SIZE if layout == CR80 else letter
    canvas = Canvas(buffer, pagesize=page_size, pageCompression=1)
    canvas.setTitle("Community ID cards")
    canvas.setAuthor(settings.HMIS_AGENCY_NAME or "HMIS")
    if layout == CR80:
        for done, face in enumerate(faces, start=1):
            _draw_card(canvas, face, x=0, y=0, w=CR80_SIZE[0], h=CR80_SIZE[1])
            canvas.showPage()
            if progress:
                progress(done, len(faces), "Cards")
    else:
        per_page = SHEET_COLUMNS * SHEET_ROWS
        w, h = SHEET_CARD
        for start in range(0, len(faces), per_page):
            for index, face in enumerate(faces[start : start + per_page]):
                row, column = divmod(index, SHEET_COLUMNS)
                x = SHEET_MARGIN_X + column * w
                y = letter[1] - SHEET_MARGIN_Y - (row + 1) * h
                _draw_card(canvas, face, x=x, y=y, w=w, h=h)
                if progress:
                    progress(start + index + 1, len(faces), "Cards")
            canvas.showPage()
    if not faces:
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def print_cards(
    *,
    cards: list[CommunityCard],
    user,
    layout: str,
    progress: Callable[[int, int, str], None] | None = None,
) -> bytes:
    """Render `cards` and record who printed whose cards."""
    pdf = render_cards(cards, layout=layout, progress=progress)
    record_many(
        build_event(
            actor=user,
            action=AuditAction.PRINT,
            obj=card,
            client_id=card.client_id,
            changes={"code": card.code, "layout": layout},
            message=f"Printed card {card.code} of client {card.client_id} ({LAYOUTS[layout]}).",
        )
        for card in cards
    )
    return pdf


def cards_for_printing(cards) -> list[CommunityCard]:
    """Active cards of a queryset, loaded for printing, in client name order."""
    return list(
        cards.filter(revoked_at__isnull=True)
        .select_related("client", "client__organization")
        .order_by(Lower("client__last_name"), Lower("client__first_name"), "client_id")
    )


# --- The check-in roster -------------------------------------------------------------------------


def roster_clients(*, project, on: date) -> list[Client]:
    """Clients with an active enrollment in `project` on `on`, by last name, each with
    `.card_code` (their active card's code, or None). One query."""
    enrolled = Enrollment.objects.active_on(on).filter(project=project, client=OuterRef("pk"))
    active_code = CommunityCard.objects.filter(client=OuterRef("pk"), revoked_at__isnull=True)
    return list(
        Client.objects.live()
        .filter(Exists(enrolled))
        .annotate(card_code=Subquery(active_code.values("code")[:1]))
        .order_by(Lower("last_name"), Lower("first_name"), "pk")
    )


ROSTER_ROW = 16 * mm
ROSTER_MARGIN = 0.6 * inch


def render_roster(*, batch, on: date, clients: list[Client], printed_by: str) -> bytes:
    fonts = _load_fonts()
    buffer = io.BytesIO()
    width, height = letter
    canvas = Canvas(buffer, pagesize=letter, pageCompression=1)
    canvas.setTitle(f"Check-in roster: {batch.project.name} {on:%m/%d/%Y} (confidential)")
    header = 30 * mm
    footer = 12 * mm
    per_page = int((height - 2 * ROSTER_MARGIN - header - footer) // ROSTER_ROW)
    pages = max(1, math.ceil(len(clients) / per_page))
    left = ROSTER_MARGIN
    right = width - ROSTER_MARGIN
    columns = {"name": left, "born": left + 230, "id": left + 290, "card": left + 350}
    printed = timezone.localtime()
    for page in range(pages):
        top = height - ROSTER_MARGIN
        canvas.setFillColorRGB(0, 0, 0)
        canvas.setFont(fonts.bold, 14)
        canvas.drawString(
            left,
            top - 12,
            _clip(f"Check-in roster: {batch.project.name}", fonts.bold, 14, right - left),
        )
        canvas.setFont(fonts.regular, 9)
        canvas.drawString(
            left,
            top - 26,
            _clip(
                f"Batch: {batch.description} · Active enrollments on {on:%m/%d/%Y} · "
                f"{len(clients)} client(s)",
                fonts.regular,
                9,
                right - left,
            ),
        )
        canvas.drawString(
            left,
            top - 38,
            f"Printed {printed:%m/%d/%Y %H:%M} by {printed_by}",
        )
        canvas.setFont(fonts.bold, 9)
        canvas.setFillColorRGB(0.6, 0, 0)
        canvas.drawString(left, top - 52, CONFIDENTIAL)
        canvas.setFillColorRGB(0, 0, 0)
        canvas.setFont(fonts.bold, 8.5)
        heading_y = top - header + 6
        canvas.drawString(columns["name"], heading_y, "Name")
        canvas.drawString(columns["born"], heading_y, "Born")
        canvas.drawString(columns["id"], heading_y, "Client ID")
        canvas.drawString(columns["card"], heading_y, "Card (scan)")
        canvas.setLineWidth(0.8)
        canvas.line(left, heading_y - 4, right, heading_y - 4)
        y = heading_y - 4
        for client in clients[page * per_page : (page + 1) * per_page]:
            y -= ROSTER_ROW
            text_y = y + ROSTER_ROW / 2 - 3
            name = client.display_name
            if client.preferred_name and client.preferred_name != client.first_name:
                name += f" ({client.preferred_name})"
            size = _fit(name, fonts.bold, 10.5, 222, smallest=7.5)
            canvas.setFont(fonts.bold, size)
            canvas.drawString(columns["name"], text_y, _clip(name, fonts.bold, size, 222))
            canvas.setFont(fonts.regular, 10)
            canvas.drawString(columns["born"], text_y, f"{client.dob:%Y}" if client.dob else "—")
            canvas.drawString(columns["id"], text_y, str(client.pk))
            barred = getattr(client, "barred_by", None)
            if barred is not None:
                # No scannable barcode for a barred client: the desk would refuse it anyway,
                # and the roster must not invite a scan.
                canvas.setFont(fonts.bold, 9)
                canvas.setFillColorRGB(0.6, 0, 0)
                until = f"until {barred.end_date:%m/%d/%Y}" if barred.end_date else "(no end date)"
                canvas.drawString(columns["card"], text_y, f"BARRED {until}")
                canvas.setFillColorRGB(0, 0, 0)
            elif client.card_code:
                bar_width = _draw_code128(
                    canvas,
                    client.card_code,
                    x=columns["card"],
                    y=y + 4.2 * mm,
                    width=right - columns["card"],
                    height=9 * mm,
                )
                label = format_code(client.card_code)
                canvas.setFont("Courier-Bold", 8)
                canvas.drawCentredString(columns["card"] + bar_width / 2, y + 1.4 * mm, label)
            else:
                canvas.setFont(fonts.regular, 9)
                canvas.drawString(columns["card"], text_y, f"No card: type Client ID {client.pk}")
            canvas.setLineWidth(0.3)
            canvas.setStrokeColorRGB(0.7, 0.7, 0.7)
            canvas.line(left, y, right, y)
            canvas.setStrokeColorRGB(0, 0, 0)
        if not clients:
            canvas.setFont(fonts.regular, 10)
            canvas.drawString(
                left, y - 20, "No client has an active enrollment in this program on this date."
            )
        canvas.setFont(fonts.regular, 8)
        canvas.drawString(left, ROSTER_MARGIN - 10, "Confidential client information")
        canvas.drawRightString(right, ROSTER_MARGIN - 10, f"Page {page + 1} of {pages}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def mark_barred(clients: list[Client], *, batch, on: date) -> None:
    """Set `.barred_by` (the bar keeping the client from `batch` on `on`, or None) on each of
    `clients`, with the desk's own rule (clients/eligibility.py), in one query."""
    code_ids = list(batch.service_codes.values_list("service_code_id", flat=True))
    bars = bars_for(
        client_ids=[c.pk for c in clients], batch=batch, code_ids=code_ids, first=on, last=on
    )
    for client in clients:
        refusing = judge_bars(bars.get(client.pk, []), code_ids=code_ids, on=on).refusing
        client.barred_by = refusing[0] if refusing else None


def print_roster(*, batch, on: date, user) -> bytes:
    """The check-in roster of `batch`'s program on `on`, audited per client listed."""
    clients = roster_clients(project=batch.project, on=on)
    mark_barred(clients, batch=batch, on=on)
    printed_by = (user.get_full_name() or user.username) if user else "command line"
    pdf = render_roster(batch=batch, on=on, clients=clients, printed_by=printed_by)
    record_many(
        build_event(
            actor=user,
            action=AuditAction.PRINT,
            obj=batch,
            client_id=client.pk,
            changes={"roster_date": on.isoformat(), "card_code": client.card_code or ""},
            message=(
                f"Printed check-in roster of batch {batch.pk} ({batch.project.name}, "
                f"{on:%m/%d/%Y}) listing client {client.pk}."
            ),
        )
        for client in clients
    )
    return pdf


def write_demo_card_sheet(organization, *, path: Path | None = None) -> Path:
    """The letter sheets of the active cards of `organization`'s clients, written to
    DATA_DIR/demo-cards.pdf (`hmis demo`). Demo data is fictional, so this is not audited."""
    path = path or Path(settings.DATA_DIR) / "demo-cards.pdf"
    cards = cards_for_printing(CommunityCard.objects.filter(client__organization=organization))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_cards(cards, layout=SHEET))
    return path
