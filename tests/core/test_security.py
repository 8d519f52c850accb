import re

import pytest
import sqlalchemy as sa
from flask import abort
from werkzeug.routing import IntegerConverter

from lms import create_app
from lms.core.access import Role, public
from lms.core.db import db
from tests.helpers import PASSWORD, app_config, csrf_token


def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # not behind TLS here


def test_hsts_behind_tls_in_production(app):
    app.config["LMS_HSTS"] = True
    try:
        response = app.test_client().get("/", base_url="https://lms.example.org")
    finally:
        app.config["LMS_HSTS"] = False
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_inline_script_or_style_in_pages(client, make_user, login):
    login(make_user())
    for path in ("/", "/account", "/account/password"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert " style=" not in html, path
        assert " onclick=" not in html, path


@pytest.mark.usefixtures("csrf")
def test_forms_without_a_csrf_token_are_refused(client, make_user):
    user = make_user()
    for path, data in [
        ("/login", {"email": user.email, "password": PASSWORD}),
        ("/register", {"email": "new@example.org", "password": PASSWORD}),
        ("/language", {"lang": "ja"}),
    ]:
        response = client.post(path, data=data)
        assert response.status_code == 400, path
        assert "The form expired" in response.get_data(as_text=True)
    token = csrf_token(client, "/login")
    ok = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert ok.status_code == 302
    wrong = client.post("/language", data={"lang": "ja", "csrf_token": token + "x"})
    assert wrong.status_code == 400


def test_friendly_error_pages(client):
    not_found = client.get("/no/such/page")
    assert not_found.status_code == 404
    assert "Page not found" in not_found.get_data(as_text=True)
    wrong_method = client.put("/login")
    assert wrong_method.status_code == 405
    assert "GET" in wrong_method.headers["Allow"]
    too_big = client.post("/login", data={"email": "x" * (17 * 1024 * 1024)})
    assert too_big.status_code == 413
    assert "larger than this site accepts" in too_big.get_data(as_text=True)


def test_json_errors_under_api(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


def test_unexpected_errors_show_no_stack_trace(database_url):
    app = create_app(app_config(database_url))

    @public
    def explode():
        raise RuntimeError("secret internal detail")

    @public
    def explode_api():
        raise RuntimeError("secret internal detail")

    @public
    def broken_query():
        db.session.execute(sa.text("SELECT * FROM no_such_table"))

    @public
    def teapot():
        abort(400, "A message of our own.")

    app.add_url_rule("/explode", view_func=explode)
    app.add_url_rule("/api/explode", view_func=explode_api)
    app.add_url_rule("/bad", view_func=teapot)
    app.add_url_rule("/broken-query", view_func=broken_query)
    client = app.test_client()
    page = client.get("/explode")
    assert page.status_code == 500
    body = page.get_data(as_text=True)
    assert "secret internal detail" not in body
    assert "Traceback" not in body
    assert "Something went wrong" in body
    api = client.get("/api/explode")
    assert api.status_code == 500
    assert "secret" not in api.get_data(as_text=True)
    assert api.get_json()["error"]["status"] == 500
    assert "A message of our own." in client.get("/bad").get_data(as_text=True)
    # A failed statement is rolled back, so the error page renders (it reads the signed-in user, for one).
    failed = client.get("/broken-query")
    assert failed.status_code == 500
    assert "Something went wrong" in failed.get_data(as_text=True)


def test_views_without_an_access_rule_stop_the_app(database_url):
    from lms import _refuse_undeclared_views

    app = create_app(app_config(database_url))
    app.add_url_rule("/open", view_func=lambda: "oops", endpoint="open")
    with pytest.raises(RuntimeError, match="views without an access rule: open"):
        _refuse_undeclared_views(app)


def test_ids_beyond_the_database_integer_range_are_not_found(app, client, make_user, login):
    """Every route with an integer id, for a user holding every role: an id no database can hold is a 404."""
    login(make_user(*Role))
    huge = 10**30
    checked = 0
    for rule in app.url_map.iter_rules():
        ints = [name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)]
        if not ints or rule.endpoint == "accounts.logout":
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m, ints=ints: str(huge) if m.group(1) in ints else "x",
                      rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            assert client.open(path, method=method).status_code == 404, f"{method} {path}"
            checked += 1
    assert checked >= 10


def test_a_nul_character_anywhere_in_a_form_or_query_is_a_400_and_nothing_is_written(client):
    """PostgreSQL refuses NUL in text: without this the registration below was a 500 there."""
    from lms.accounts.models import User

    form = {"email": "nul@example.org", "name_latin": "Nul\x00Byte", "password": PASSWORD, "confirm": PASSWORD,
            "prefecture_code": "13"}
    response = client.post("/register", data=form)
    assert response.status_code == 400 and "NUL character" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.email == "nul@example.org")) is None
    assert client.get("/roster?prefecture=1%003").status_code == 400
    api = client.get("/api/v1/roster?specialty=%00")
    assert api.status_code == 400 and "NUL character" in api.get_json()["error"]["message"]
