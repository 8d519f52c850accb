"""Walks the whole URL map and proves, for every route, every role and anonymous users, the expected answer."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from flask import url_for

from lms.core.access import AccessRule, Permission, Role, permissions_of
from tests.access_map import ANONYMOUS, ROLES, Route
from tests.helpers import PASSWORD

TESTS = Path(__file__).resolve().parent.parent


def _tables() -> dict[str, Route]:
    routes: dict[str, Route] = {}
    # A feature may split its table (tests/<feature>/access.py, access_<part>.py) when several people build it.
    for path in sorted(TESTS.glob("*/access*.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.{path.stem}")
        overlap = routes.keys() & module.ROUTES.keys()
        assert not overlap, f"listed twice: {overlap}"
        routes.update(module.ROUTES)
    return routes


ROUTES = _tables()


def _endpoints(app) -> dict[str, set[str]]:
    methods: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.endswith("static"):
            continue
        methods.setdefault(rule.endpoint, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    return methods


def test_every_endpoint_is_listed_and_no_listing_is_stale(app):
    endpoints = _endpoints(app)
    assert sorted(set(endpoints) - set(ROUTES)) == [], "endpoints missing from a tests/<feature>/access.py"
    assert sorted(set(ROUTES) - set(endpoints)) == [], "listed endpoints the app does not have"
    for endpoint, route in ROUTES.items():
        assert set(route.methods) <= endpoints[endpoint], endpoint


def test_tables_agree_with_the_declared_rules(app):
    """The table is the reviewed statement of intent; the decorator on each view must say the same."""
    for endpoint, route in ROUTES.items():
        rule: AccessRule = app.view_functions[endpoint].access_rule
        if rule.kind == "public":
            expected = {ANONYMOUS, *ROLES}
        elif rule.kind == "signed_in":
            expected = set(ROLES)
        else:
            assert isinstance(rule.permission, Permission)
            expected = {r for r in ROLES if rule.permission in permissions_of({Role(r)})}
        assert set(route.allowed) == expected, endpoint


@pytest.fixture
def world(make_user):
    return {role: make_user(Role(role), email=f"{role}@walk.example.org") for role in ROLES}


@pytest.mark.parametrize("who", [ANONYMOUS, *ROLES])
def test_every_route_answers_as_expected(app, world, who):
    client = app.test_client()
    if who != ANONYMOUS:
        assert client.post("/login", data={"email": world[who].email, "password": PASSWORD}).status_code == 302
    failures = []
    for endpoint, route in sorted(ROUTES.items(), key=lambda item: (item[1].ends_session, item[0])):
        args = route.args(world) if route.args else {}
        for method in route.methods:
            with app.test_request_context():
                url = url_for(endpoint, **args)
            status = client.open(url, method=method).status_code
            expected = _expected(route, who, method)
            if not expected(status):
                failures.append(f"{who} {method} {url} ({endpoint}): got {status}")
            if route.missing and who in route.allowed:
                with app.test_request_context():
                    missing_url = url_for(endpoint, **route.missing)
                status = client.open(missing_url, method=method).status_code
                if status != 404:
                    failures.append(f"{who} {method} {missing_url} ({endpoint}): got {status}, expected 404")
    assert failures == []


def _expected(route: Route, who: str, method: str):
    if who not in route.allowed:
        if who == ANONYMOUS:
            return lambda status: status == 302
        return lambda status: status == 403
    if who != ANONYMOUS and route.signed_in_status is not None:
        return lambda status: status == route.signed_in_status
    if method == "GET":
        return lambda status: status == route.ok
    # An empty POST from an allowed user: refused as bad input or accepted, never forbidden or broken.
    return lambda status: status not in (401, 403) and status < 500
