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
    """Every permission in the system. Object-level rules (an instructor owns a course, nobody grades their
    own report) are policy functions in the feature that owns the object, on top of these."""

    USERS_MANAGE = "users:manage"
    AUDIT_READ = "audit:read"
    COURSE_STUDY = "course:study"  # enrol, read lessons, track progress
    COURSE_AUTHOR = "course:author"  # edit lessons of courses one owns (administrators: every course)
    COURSE_AUTHOR_ANY = "course:author-any"
    ENROLMENT_MANAGE = "enrolment:manage"  # bulk enrolment, cohorts
    QUIZ_TAKE = "quiz:take"
    QUIZ_RESULTS = "quiz:results"  # results, regrades and item statistics of one's courses
    PRACTICUM_SUBMIT = "practicum:submit"
    PRACTICUM_GRADE = "practicum:grade"
    CERTIFICATE_REQUEST = "certificate:request"
    CERTIFICATE_ISSUE = "certificate:issue"  # review, issue, reject, renew, revoke
    ROSTER_PROFILE = "roster:profile"  # keep one's own roster profile (a valid certificate is also needed)
    ROSTER_CONTACTS = "roster:contacts"  # see contact details, match SMEs, export
    REPORTS_OWN = "reports:own"  # one's own courses
    REPORTS_ALL = "reports:all"


_STUDY = frozenset(
    {
        Permission.COURSE_STUDY,
        Permission.QUIZ_TAKE,
        Permission.PRACTICUM_SUBMIT,
        Permission.CERTIFICATE_REQUEST,
        Permission.ROSTER_PROFILE,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.TRAINEE: _STUDY,
    Role.INSTRUCTOR: frozenset(
        {
            Permission.COURSE_STUDY,
            Permission.COURSE_AUTHOR,
            Permission.ENROLMENT_MANAGE,
            Permission.QUIZ_RESULTS,
            Permission.PRACTICUM_GRADE,
            Permission.REPORTS_OWN,
        }
    ),
    Role.PARTNER: frozenset({Permission.ROSTER_CONTACTS}),
    Role.ADMINISTRATOR: frozenset(Permission) - _STUDY | {Permission.COURSE_STUDY},
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
