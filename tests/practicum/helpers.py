"""Helpers for the practicum tests: run this feature's content sources on a folder, write a report."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from lms.certification.tracks import TrackSource
from lms.core.content import ContentInvalid, Problems
from lms.core.db import db
from lms.practicum.source import PracticumSource

SAMPLE_ROOT = Path(__file__).resolve().parent / "content"
GOOD_TEXTS = {
    "profile": "A precision-machining company in Aichi, 40 employees, **second generation**.",
    "diagnosis": "Interviewed the president and the head of R&D.\nFound unprotected process know-how.",
    "reflection": "I listened more than I talked.",
}
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def office_zip(kind: str) -> bytes:
    member = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}[kind]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(member, "<x/>")
    return buffer.getvalue()


def parse(root: Path, parsed: dict[str, Any] | None = None) -> tuple[dict[str, Any], Problems]:
    """Run the tracks and practicum sources (only these) on ``root``; return the parsed results and problems."""
    parsed = dict(parsed or {})
    problems = Problems(root)
    for source in (TrackSource(), PracticumSource()):
        parsed[source.name] = source.parse(root, parsed, problems)
    return parsed, problems


def sync_sample(root: Path = SAMPLE_ROOT) -> dict[str, Any]:
    parsed, problems = parse(root)
    if problems:
        raise ContentInvalid(problems)
    changes = {source.name: source.write(parsed[source.name], parsed) for source in (TrackSource(), PracticumSource())}
    db.session.commit()
    return changes


def form_data(texts: dict[str, str], action: str = "save") -> dict[str, str]:
    return {**{f"section-{k}": v for k, v in texts.items()}, "action": action}
