"""Who may use what: roles, permissions as data, and the one decorator each view declares itself with.

Every view function carries exactly one access rule (``public``, ``signed_in`` or ``requires(...)``);
``create_app`` refuses to start if a view has none, so no page is ever open by accident.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

F = TypeVar("F", bound=Callable[..., Any])


class Role(enum.StrEnum):
    TRAINEE = "trainee"
    INSTRUCTOR = "instructor"
    PARTNER = "partner"
    ADMINISTRATOR = "administrator"


class Permission(enum.StrEnum):
    USERS_MANAGE = "users:manage"
    AUDIT_READ = "audit:read"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.TRAINEE: frozenset(),
    Role.INSTRUCTOR: frozenset(),
    Role.PARTNER: frozenset(),
    Role.ADMINISTRATOR: frozenset(Permission),
}


def permissions_of(roles: set[Role] | frozenset[Role]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)


@dataclass(frozen=True)
class AccessRule:
    """``kind`` is public, signed_in or permission; ``permission`` names what is required for the last."""

    kind: str
    permission: Permission | None = None

    def describe(self) -> str:
        return self.permission.value if self.permission else self.kind


def _attach(rule: AccessRule, view: F, wrapper: Callable[..., Any]) -> F:
    if hasattr(view, "access_rule"):
        raise TypeError(f"{view.__name__} declares its access twice")
    wrapped = wraps(view)(wrapper)
    wrapped.access_rule = rule  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]


def public(view: F) -> F:
    """Anyone, signed in or not."""
    view.access_rule = AccessRule("public")  # type: ignore[attr-defined]
    return view


def _sign_in_redirect() -> Any:
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def signed_in(view: F) -> F:
    """Any signed-in user, whatever their roles."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return _unauthenticated()
        return view(*args, **kwargs)

    return _attach(AccessRule("signed_in"), view, wrapper)


def requires(permission: Permission) -> Callable[[F], F]:
    """Signed-in users whose roles grant ``permission``; others get 403, anonymous users the sign-in page."""

    def decorator(view: F) -> F:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return _unauthenticated()
            if not current_user.can(permission):
                abort(403)
            return view(*args, **kwargs)

        return _attach(AccessRule("permission", permission), view, wrapper)

    return decorator


def _unauthenticated() -> Any:
    if request.path.startswith("/api/"):
        abort(401)
    return _sign_in_redirect()


def undeclared_views() -> list[str]:
    """Endpoints whose view declares no access rule (static files excepted)."""
    return sorted(
        endpoint
        for endpoint, view in current_app.view_functions.items()
        if not endpoint.endswith("static") and not hasattr(view, "access_rule")
    )
