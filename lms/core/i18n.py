"""Language choice (session, then the user's preference, then the browser) and bilingual text helpers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user

from lms.core import prefectures

SESSION_KEY = "lang"


def select_locale() -> str:
    languages = current_app.config["LMS_LANGUAGES"]
    chosen = session.get(SESSION_KEY)
    if chosen in languages:
        return chosen
    user_locale = getattr(current_user, "locale", None)
    if user_locale in languages:
        return user_locale
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    """'ja' or 'en' for this request."""
    cached = g.get("_lms_lang")
    if cached is None:
        cached = g._lms_lang = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    return cached


def pick(text: dict[str, str] | None, lang: str | None = None) -> str:
    """The text of a ``{en: ..., ja: ...}`` mapping in the current language, falling back to the other one."""
    if not text:
        return ""
    lang = lang or current_language()
    return text.get(lang) or next((v for v in text.values() if v), "")


def translation_directories(package_root: Path) -> str:
    """Every feature keeps its own catalog in ``lms/<feature>/translations``; Flask-Babel merges them."""
    dirs = sorted(str(p) for p in package_root.glob("*/translations") if p.is_dir())
    return ";".join(dirs)


def init_app(app: Flask) -> None:
    @app.context_processor
    def _i18n_context() -> dict[str, Any]:
        return {
            "current_language": current_language,
            "pick": pick,
            "prefecture_name": lambda code: prefectures.name(code, current_language()),
            "region_name": lambda code: prefectures.region_name(code, current_language()),
        }
