"""What every feature's forms share."""

from __future__ import annotations

from typing import Any


def show_refusal(form: Any, message: str, field: str | None = None) -> None:
    """Show an operation's refusal on the form: under ``field`` when the form has one by that name, else above it."""
    target = getattr(form, field, None) if field else None
    if target is not None:
        target.errors = [*target.errors, message]
    else:
        form.form_errors.append(message)
