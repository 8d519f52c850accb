"""Extract, update and compile each feature's own message catalog (lms/<feature>/translations).

Usage: python scripts/i18n.py [update|compile]   (update extracts, merges into ja, and compiles)
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "lms"
PYBABEL = [sys.executable, "-m", "babel.messages.frontend"]


def features() -> list[Path]:
    return sorted(p for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists())


def run(*args: str) -> None:
    subprocess.run([*PYBABEL, *args], check=True, cwd=ROOT)  # noqa: S603 - our own fixed command


def update(feature: Path) -> None:
    translations = feature / "translations"
    pot = translations / "messages.pot"
    translations.mkdir(exist_ok=True)
    cfg = translations / "babel.cfg"
    cfg.write_text(f"[python: {feature.name}/**.py]\n[jinja2: {feature.name}/**/templates/**.html]\n")
    try:
        run("-q", "extract", "-F", str(cfg), "-k", "_l", "--no-location", "--sort-output",
            "--omit-header", "-o", str(pot), str(PACKAGE))
    finally:
        cfg.unlink()
    po = translations / "ja" / "LC_MESSAGES" / "messages.po"
    before = po.read_bytes() if po.exists() else None
    if po.exists():
        run("-q", "update", "--no-fuzzy-matching", "-i", str(pot), "-d", str(translations),
            "-l", "ja")
    else:
        run("-q", "init", "-i", str(pot), "-d", str(translations), "-l", "ja")
        _unfuzzy_header(po)
    pot.unlink()
    if before is not None and _messages(before) == _messages(po.read_bytes()):
        po.write_bytes(before)  # only the header's dates changed: keep the file (and the diff) as it was


def _messages(data: bytes) -> list[tuple[object, object, bool]]:
    catalog = read_po(io.BytesIO(data), locale="ja")
    return [(m.id, m.string, m.fuzzy) for m in catalog if m.id]


def _unfuzzy_header(po: Path) -> None:
    """``pybabel init`` marks the new catalog's header fuzzy, and a fuzzy catalog is never compiled."""
    with po.open("rb") as f:
        catalog = read_po(f, locale="ja")
    catalog.fuzzy = False
    with po.open("wb") as f:
        write_po(f, catalog, width=120)


def compile_all() -> None:
    for feature in features():
        if (feature / "translations" / "ja").exists():
            run("-q", "compile", "-d", str(feature / "translations"))


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "update"
    if command == "update":
        for feature in features():
            update(feature)
    compile_all()
