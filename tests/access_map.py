"""Types for the per-feature access tables that tests/core/test_access_map.py walks.

Each feature lists every endpoint it registers in ``tests/<feature>/access.py`` as ``ROUTES``: who may use it,
and how to build its URL; a feature built in parts may add ``access_<part>.py`` tables beside it. The walk fails
for any endpoint of the app that no table lists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ANONYMOUS = "anonymous"
ROLES = ("trainee", "instructor", "partner", "administrator")
EVERYONE = frozenset((ANONYMOUS, *ROLES))
SIGNED_IN = frozenset(ROLES)


@dataclass(frozen=True)
class Route:
    """Who may use an endpoint. ``allowed`` holds role names and/or ``anonymous``.

    - ``args(world)`` builds the URL's arguments from the objects the walk created (``world``).
    - ``missing``: arguments naming nothing; allowed users must get 404 for them.
    - ``ok``: the status an allowed user gets (200 for pages; 302 for a page that sends signed-in users away).
    - ``signed_in_status``: the status signed-in users get when the page is for anonymous users only.
    """

    allowed: frozenset[str]
    args: Callable[[Any], dict[str, Any]] | None = None
    missing: dict[str, Any] | None = None
    ok: int = 200
    signed_in_status: int | None = None
    methods: tuple[str, ...] = field(default=("GET",))
    #: Ends the session (sign-out): the walk visits it last.
    ends_session: bool = False


def public(**kw: Any) -> Route:
    return Route(allowed=EVERYONE, **kw)


def signed_in(**kw: Any) -> Route:
    return Route(allowed=SIGNED_IN, **kw)


def only(*roles: str, **kw: Any) -> Route:
    return Route(allowed=frozenset(roles), **kw)
