"""The certificate PDF: A4 landscape, Japanese and English, with a QR code to the verification page.

Drawn with fpdf2 (see docs/decisions.md): pure Python, embeds a subset of the shipped IPA P Mincho font (so the
Japanese glyphs are in the file and extractable as text), and fails loudly if a font is missing, unlike an HTML
renderer that would draw empty boxes. The QR code (segno) is drawn as vector squares, crisp at any zoom.

``render(CertificateDocument(...))`` returns the PDF bytes; the same input always gives the same bytes, so the
integrator may render on demand or cache the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

import segno
from fpdf import FPDF

FONT_FILE = Path(__file__).parent / "fonts" / "ipamp.ttf"
JA = "IPAPMincho"
EN = "Times"  # a PDF standard font: only for the fixed English wording (cp1252 is enough there)

PAGE_W, PAGE_H = 297.0, 210.0
NAVY = (27, 42, 74)
GOLD = (176, 141, 67)
INK = (33, 33, 33)
MUTED = (90, 90, 90)
VERMILION = (196, 52, 38)
PAPER = (253, 251, 245)

#: Where the QR code sits (x, y, size in mm from the top left): the tests read the code back from a rendering.
QR_BOX = (PAGE_W - 34.0 - 30.0, 147.0, 30.0)
#: Modules of quiet zone around the QR code (the standard's minimum is 4).
QR_QUIET = 4

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


@dataclass(frozen=True)
class CertificateDocument:
    """What the certificate shows. Names as the holder gave them (either may be empty, not both)."""

    serial: str  #: e.g. IPMS-2027-000123
    holder_name_ja: str
    holder_name_latin: str
    track_name_ja: str
    track_name_en: str
    issued_on: date
    expires_on: date | None
    verification_url: str  #: the QR code's target: GET /verify/<public id>
    issuer_name_ja: str = "知財経営支援ネットワーク"
    issuer_name_en: str = "IP Management Support Network"


def date_ja(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def date_en(value: date) -> str:
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


class _Certificate(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="landscape", unit="mm", format="A4")
        if not FONT_FILE.exists():
            raise FileNotFoundError(f"{FONT_FILE}: the Japanese font shipped with lms.certification is missing")
        self.add_font(JA, fname=str(FONT_FILE))
        self.set_auto_page_break(auto=False)
        self.set_margins(0, 0, 0)
        self.c_margin = 0

    def centered(self, y: float, text: str, family: str, size: float, *, style: str = "",
                 color: tuple[int, int, int] = INK, width: float = 230.0, min_size: float = 9.0,
                 spacing: float = 0.0) -> None:
        """One centred line at ``y`` (mm, top of the line), shrunk until it fits ``width``."""
        self.set_font(family, style, size)
        self.set_char_spacing(spacing)
        while self.get_string_width(text) > width and size > min_size:
            size -= 0.5
            self.set_font(family, style, size)
        self.set_text_color(*color)
        self.set_xy((PAGE_W - width) / 2, y)
        self.cell(width, size * 0.3528 * 1.25, text, align="C")
        self.set_char_spacing(0)

    def left(self, x: float, y: float, text: str, family: str, size: float, *, style: str = "",
             color: tuple[int, int, int] = INK) -> None:
        self.set_font(family, style, size)
        self.set_text_color(*color)
        self.set_xy(x, y)
        self.cell(0, size * 0.3528 * 1.25, text)


def _frame(pdf: _Certificate) -> None:
    pdf.set_fill_color(*PAPER)
    pdf.rect(0, 0, PAGE_W, PAGE_H, style="F")
    pdf.set_draw_color(*NAVY)
    pdf.set_line_width(1.6)
    pdf.rect(9, 9, PAGE_W - 18, PAGE_H - 18)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.5)
    pdf.rect(12.5, 12.5, PAGE_W - 25, PAGE_H - 25)
    pdf.set_line_width(0.25)
    pdf.rect(14, 14, PAGE_W - 28, PAGE_H - 28)
    # Gold corner marks inside the inner frame.
    pdf.set_line_width(0.6)
    for cx, cy, dx, dy in ((14, 14, 1, 1), (PAGE_W - 14, 14, -1, 1), (14, PAGE_H - 14, 1, -1),
                           (PAGE_W - 14, PAGE_H - 14, -1, -1)):
        pdf.line(cx + 3 * dx, cy + 3 * dy, cx + 15 * dx, cy + 3 * dy)
        pdf.line(cx + 3 * dx, cy + 3 * dy, cx + 3 * dx, cy + 15 * dy)


def _rule(pdf: _Certificate, y: float, half_width: float) -> None:
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.4)
    pdf.line(PAGE_W / 2 - half_width, y, PAGE_W / 2 - 3, y)
    pdf.line(PAGE_W / 2 + 3, y, PAGE_W / 2 + half_width, y)
    pdf.set_fill_color(*GOLD)
    # A small diamond in the middle of the rule.
    pdf.polygon([(PAGE_W / 2, y - 1.2), (PAGE_W / 2 + 1.2, y), (PAGE_W / 2, y + 1.2), (PAGE_W / 2 - 1.2, y)],
                style="F")


def _qr(pdf: _Certificate, url: str, x: float, y: float, size: float) -> None:
    """The QR code as filled squares (one rectangle per horizontal run of dark modules), on a white quiet zone."""
    code = segno.make(url, error="m", micro=False)
    matrix = code.matrix
    modules = len(matrix)
    quiet = QR_QUIET
    unit = size / (modules + 2 * quiet)
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, size, size, style="F")
    pdf.set_fill_color(0, 0, 0)
    for row, line in enumerate(matrix):
        col = 0
        while col < modules:
            if line[col]:
                start = col
                while col < modules and line[col]:
                    col += 1
                pdf.rect(x + (quiet + start) * unit, y + (quiet + row) * unit, (col - start) * unit, unit, style="F")
            else:
                col += 1


def _seal(pdf: _Certificate, cx: float, cy: float) -> None:
    """A vermilion seal (the Japanese hanko of an issuing body), drawn, not an image."""
    pdf.set_draw_color(*VERMILION)
    pdf.set_line_width(0.9)
    pdf.circle(x=cx, y=cy, radius=11)
    pdf.set_line_width(0.35)
    pdf.circle(x=cx, y=cy, radius=9.3)
    pdf.set_font(JA, "", 13)
    pdf.set_text_color(*VERMILION)
    for offset, char in ((-4.4, "認"), (2.4, "定")):
        width = pdf.get_string_width(char)
        pdf.set_xy(cx - width / 2, cy + offset - 2.2)
        pdf.cell(width, 5, char)


def render(doc: CertificateDocument) -> bytes:
    """The certificate as PDF bytes (one A4 landscape page)."""
    if not (doc.holder_name_ja.strip() or doc.holder_name_latin.strip()):
        raise ValueError("the certificate needs the holder's name")
    pdf = _Certificate()
    moment = datetime.combine(doc.issued_on, time(0, 0), tzinfo=UTC)
    pdf.set_creation_date(moment)
    pdf.set_title(f"{doc.serial} {doc.track_name_en}")
    pdf.set_author(doc.issuer_name_en)
    pdf.set_subject(f"{doc.track_name_ja} / {doc.track_name_en}")
    pdf.set_creator("IPMS LMS")
    pdf.set_lang("ja")
    pdf.add_page()
    _frame(pdf)
    _body(pdf, doc)
    _details(pdf, doc)
    _issuer(pdf, doc)
    _verification(pdf, doc.verification_url)
    return bytes(pdf.output())


def _body(pdf: _Certificate, doc: CertificateDocument) -> None:
    pdf.centered(23, f"{doc.issuer_name_ja}　{doc.issuer_name_en}", JA, 10.5, color=MUTED, spacing=0.3)
    pdf.centered(33, "認　定　証", JA, 34, color=NAVY, spacing=2.0)
    pdf.centered(50, "CERTIFICATE", EN, 17, color=NAVY, spacing=3.2)
    _rule(pdf, 61, 70)

    y = 67.0
    if doc.holder_name_ja.strip():
        pdf.centered(y, f"{doc.holder_name_ja}　殿", JA, 27, width=200)
        y += 14
    if doc.holder_name_latin.strip():
        pdf.centered(y, doc.holder_name_latin, JA, 17, width=200, color=INK)
        y += 10
    y = max(y, 91.0) + 3

    pdf.centered(y, "あなたは本ネットワークが定める認定要件を満たし、次の認定を受けたことを証します。", JA, 11.5)
    pdf.centered(y + 7, "has fulfilled the requirements set by the Network and is hereby certified as", EN, 12,
                 style="I", color=MUTED)
    pdf.centered(y + 17, doc.track_name_ja, JA, 21, color=NAVY, width=220)
    pdf.centered(y + 28, doc.track_name_en, JA, 15, color=NAVY, width=220)


def _details(pdf: _Certificate, doc: CertificateDocument) -> None:
    """Serial and dates, bottom left."""
    x, top = 30.0, 158.0
    rows = [
        ("認定番号", "Serial number", doc.serial),
        ("認定日", "Date of issue", f"{date_ja(doc.issued_on)}　{date_en(doc.issued_on)}"),
        ("有効期限", "Valid until",
         f"{date_ja(doc.expires_on)}　{date_en(doc.expires_on)}" if doc.expires_on else "無期限　No expiry"),
    ]
    for i, (label_ja, label_en, value) in enumerate(rows):
        row_y = top + i * 8
        pdf.left(x, row_y, label_ja, JA, 9.5, color=MUTED)
        pdf.left(x + 17, row_y + 0.3, label_en, EN, 8.5, style="I", color=MUTED)
        pdf.left(x + 42, row_y, value, JA, 10.5)


def _issuer(pdf: _Certificate, doc: CertificateDocument) -> None:
    """The issuing body's name over a line, with its seal."""
    sign_x = 150.0
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.3)
    pdf.line(sign_x, 172, sign_x + 62, 172)
    pdf.left(sign_x, 174, doc.issuer_name_ja, JA, 10.5)
    pdf.left(sign_x, 180, doc.issuer_name_en, EN, 9.5, style="I", color=MUTED)
    _seal(pdf, sign_x + 54, 162)


def _verification(pdf: _Certificate, url: str) -> None:
    """The QR code to the verification page and the URL in print, bottom right."""
    qr_x, qr_y, qr_size = QR_BOX
    _qr(pdf, url, qr_x, qr_y, qr_size)
    caption_w, caption_x = 56.0, qr_x + qr_size / 2 - 28.0
    pdf.set_font(JA, "", 7)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(caption_x, qr_y + qr_size + 1)
    pdf.cell(caption_w, 3.5, "真正性の確認　Verify this certificate", align="C")
    size = 6.0
    pdf.set_font(JA, "", size)
    while pdf.get_string_width(url) > caption_w and size > 3.5:
        size -= 0.25
        pdf.set_font(JA, "", size)
    pdf.set_xy(caption_x, qr_y + qr_size + 4.5)
    pdf.cell(caption_w, 3, url, align="C", link=url)
