"""The main menu, assembled from what each feature registers, filtered by what the user may open."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from flask_login import current_user

from lms.core.access import Permission


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any  # a lazy gettext string
    #: Shown to users holding this permission; None with ``signed_in`` False means everyone.
    permission: Permission | None = None
    signed_in: bool = False
    order: int = 50


def add(app: Flask, item: NavItem) -> None:
    app.extensions.setdefault("lms_nav", []).append(item)


def visible_items() -> list[NavItem]:
    items = sorted(current_app.extensions.get("lms_nav", []), key=lambda i: i.order)
    user = current_user
    shown = []
    for item in items:
        if item.permission is not None:
            if not (user.is_authenticated and user.can(item.permission)):
                continue
        elif item.signed_in and not user.is_authenticated:
            continue
        shown.append(item)
    return shown


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"nav_items": visible_items})
