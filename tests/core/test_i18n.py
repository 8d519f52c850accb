"""Both languages ship: every string is translated, compiled catalogs are current, the choice works."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

PACKAGE = Path(__file__).resolve().parents[2] / "lms"
FEATURES = sorted(p for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2), "lazy_ngettext": (1, 2)}


def _source_messages(feature: Path) -> set[str]:
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(feature), METHODS, keywords=KEYWORDS, options_map={"**/templates/**.html": {}}
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalog(feature: Path):
    po = feature / "translations" / "ja" / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return None
    with po.open("rb") as f:
        return read_po(f, locale="ja")


@pytest.mark.parametrize("feature", FEATURES, ids=lambda p: p.name)
def test_every_string_has_a_japanese_translation(feature):
    wanted = _source_messages(feature)
    catalog = _catalog(feature)
    if not wanted:
        return
    assert catalog is not None, f"{feature.name} has user-visible strings but no Japanese catalog (run make i18n)"
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id)
        for m in catalog
        if m.id and all(m.string if isinstance(m.string, tuple) else [m.string]) and not m.fuzzy
    }
    missing = sorted(wanted - translated)
    assert missing == [], f"untranslated in {feature.name} (run make i18n, fill msgstr): {missing[:10]}"


@pytest.mark.parametrize("feature", FEATURES, ids=lambda p: p.name)
def test_compiled_catalog_is_current(feature):
    catalog = _catalog(feature)
    if catalog is None:
        return
    mo = feature / "translations" / "ja" / "LC_MESSAGES" / "messages.mo"
    assert mo.exists(), f"{feature.name}: run make i18n to compile"
    fresh = io.BytesIO()
    write_mo(fresh, catalog)
    fresh.seek(0)
    with mo.open("rb") as f:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(f) if m.id}
    expected = {_key(m.id): _key(m.string) for m in read_mo(fresh) if m.id}
    assert compiled == expected, f"{feature.name}: messages.mo is stale; run make i18n"


def _key(value):
    return tuple(value) if isinstance(value, list | tuple) else value


def test_language_follows_the_browser(client):
    ja = client.get("/", headers={"Accept-Language": "ja,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="ja">' in ja
    assert "ログイン" in ja
    en = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(as_text=True)
    assert '<html lang="en">' in en
    assert "Sign in" in en


def test_language_switch_is_remembered_and_returns_to_the_page(client):
    response = client.post("/language", data={"lang": "ja", "next": "/login"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    page = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "パスワード" in page
    assert client.post("/language", data={"lang": "fr"}).status_code == 400
    assert client.post("/language", data={"lang": "en", "next": "https://evil.example"}).headers["Location"] == "/"


def test_form_errors_are_translated(client):
    client.post("/language", data={"lang": "ja"})
    html = client.post("/register", data={"email": "bad"}).get_data(as_text=True)
    assert "有効なメールアドレスを入力してください" in html
