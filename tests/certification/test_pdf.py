"""The certificate PDF: A4 landscape, Japanese glyphs really present, a readable QR code, deterministic output."""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import segno
from PIL import Image
from pypdf import PdfReader

from lms.certification import pdf
from lms.certification.pdf import CertificateDocument, render

DOC = CertificateDocument(
    serial="IPMS-2027-000123",
    holder_name_ja="山田 花子",
    holder_name_latin="Hanako Yamada",
    track_name_ja="知財経営支援専門家",
    track_name_en="IP Management Support Professional",
    issued_on=date(2027, 4, 1),
    expires_on=date(2030, 3, 31),
    verification_url="https://lms.example.jp/verify/c7Hq2VnX4kPz9RtYwL3mBd",
)
PDFTOTEXT, PDFTOPPM = shutil.which("pdftotext"), shutil.which("pdftoppm")
needs_poppler = pytest.mark.skipif(
    not (PDFTOTEXT and PDFTOPPM), reason="poppler-utils (pdftotext, pdftoppm) is not installed"
)


def _squash(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def certificate_pdf() -> bytes:
    return render(DOC)


def test_one_a4_landscape_page(certificate_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(certificate_pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # 297 x 210 mm in points


def test_japanese_and_english_text_is_extractable(certificate_pdf: bytes) -> None:
    text = _squash(PdfReader(io.BytesIO(certificate_pdf)).pages[0].extract_text())
    for expected in ("認定証", "山田花子", "HanakoYamada", "知財経営支援専門家", "IPManagementSupportProfessional",
                     "IPMS-2027-000123", "2027年4月1日", "1April2027", "2030年3月31日", "31March2030",
                     "知財経営支援ネットワーク", "CERTIFICATE", DOC.verification_url):
        assert expected in text, expected


def test_the_japanese_font_is_embedded(certificate_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(certificate_pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    embedded = []
    for ref in fonts.values():
        font = ref.get_object()
        for descendant in font.get("/DescendantFonts", []):
            descriptor = descendant.get_object()["/FontDescriptor"].get_object()
            if "/FontFile2" in descriptor:
                embedded.append(str(descriptor["/FontName"]))
    assert any(name.endswith("IPAPMincho") for name in embedded), embedded


@needs_poppler
def test_pdftotext_sees_the_japanese_text(tmp_path: Path, certificate_pdf: bytes) -> None:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(certificate_pdf)
    out = subprocess.run([PDFTOTEXT, "-enc", "UTF-8", str(path), "-"],  # noqa: S603 - our own file
                         capture_output=True, check=True, text=True).stdout
    assert "山田 花子" in out
    assert "知財経営支援専門家" in out


@needs_poppler
def test_rendered_page_carries_the_verification_url_in_its_qr_code(tmp_path: Path, certificate_pdf: bytes) -> None:
    """Render page 1 with pdftoppm, then read every module of the QR code back from the pixels and compare with
    the QR code of the verification URL: the printed code leads to the verification page."""
    path = tmp_path / "certificate.pdf"
    path.write_bytes(certificate_pdf)
    dpi = 300
    subprocess.run([PDFTOPPM, "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile",  # noqa: S603
                    str(path), str(tmp_path / "page")], check=True)
    image = Image.open(tmp_path / "page.png").convert("L")
    width, height = image.size
    assert abs(width - 297 / 25.4 * dpi) <= 1.5
    assert abs(height - 210 / 25.4 * dpi) <= 1.5
    expected = segno.make(DOC.verification_url, error="m", micro=False).matrix
    modules = len(expected)
    x, y, size = pdf.QR_BOX
    unit_px = size / (modules + 2 * pdf.QR_QUIET) / 25.4 * dpi
    left, top = x / 25.4 * dpi, y / 25.4 * dpi
    read = [
        [image.getpixel((round(left + (pdf.QR_QUIET + col + 0.5) * unit_px),
                         round(top + (pdf.QR_QUIET + row + 0.5) * unit_px))) < 128 for col in range(modules)]
        for row in range(modules)
    ]
    assert read == [[bool(v) for v in line] for line in expected]
    # The page is not blank: ink covers a sensible share of it.
    dark = sum(image.resize((297, 210)).histogram()[:200])
    assert 1_000 < dark < 30_000


def test_output_is_deterministic(certificate_pdf: bytes) -> None:
    assert render(DOC) == certificate_pdf


def test_latin_name_only_and_no_expiry() -> None:
    doc = replace(DOC, holder_name_ja="", expires_on=None)
    text = _squash(PdfReader(io.BytesIO(render(doc))).pages[0].extract_text())
    assert "HanakoYamada" in text
    assert "殿" not in text
    assert "無期限" in text


def test_long_track_names_are_shrunk_to_fit() -> None:
    long_name = "知的財産を活用した中小企業の経営戦略と海外展開を現場で伴走支援できる上級専門家認定コース"
    doc = replace(DOC, track_name_ja=long_name, track_name_en="Advanced " * 12 + "Professional")
    text = _squash(PdfReader(io.BytesIO(render(doc))).pages[0].extract_text())
    assert long_name in text


def test_holder_without_a_name_is_refused() -> None:
    with pytest.raises(ValueError, match="name"):
        render(replace(DOC, holder_name_ja=" ", holder_name_latin=""))


def test_date_formats() -> None:
    assert pdf.date_ja(date(2027, 4, 1)) == "2027年4月1日"
    assert pdf.date_en(date(2027, 4, 1)) == "1 April 2027"
