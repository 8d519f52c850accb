"""The public API (``/api/v1``): the roster search, its OpenAPI document and a page that explains it.

``GET /api/v1/roster`` is a public contract (DESIGN.md section 7): it parses and searches exactly like the HTML
roster (``lms.roster.search``) and publishes each person as ``lms.roster.records`` serialises them.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from lms.api import openapi, operations
from lms.api.auth import caller, presented_token
from lms.api.errors import ApiError, respond
from lms.core.access import Permission, public
from lms.core.db import db
from lms.core.extensions import limiter
from lms.core.security import NulCharacter
from lms.roster import records, search

bp = Blueprint("api", __name__, url_prefix="/api/v1", template_folder="templates")

PARAMETERS = frozenset((*search.PARAMETERS, "include"))
INCLUDES = frozenset({"contacts"})
#: Anonymous answers are the same for everyone, so shared caches may keep them for this many seconds.
PUBLIC_MAX_AGE = 60


def _rate_limit() -> str:
    return current_app.config["LMS_API_RATE_LIMIT"]


def _rate_limit_key() -> str:
    """Whom the limit counts: a valid token on its own (partners behind one address do not share a budget), any
    other caller by address (so made-up tokens cannot buy fresh budgets)."""
    token = presented_token()
    return f"api-token:{token.id}" if token is not None else get_remote_address()


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    return respond(error)


@bp.errorhandler(NulCharacter)
def _nul_character(error: NulCharacter) -> Response:
    return respond(ApiError(400, "invalid_parameter", str(error.description), error.field))


@bp.get("/roster")
@public
@limiter.limit(_rate_limit, key_func=_rate_limit_key)
def roster() -> Any:
    unknown = sorted(set(request.args) - PARAMETERS)
    if unknown:
        raise ApiError(400, "unknown_parameter", _("Unknown parameter: %(name)s.", name=unknown[0]), unknown[0])
    # The HTML roster's forms send "any" as an empty value; a program sending one has made a mistake.
    if empty := next((name for name, value in request.args.items(multi=True) if not value.strip()), None):
        raise ApiError(400, "invalid_parameter", _("%(name)s needs a value.", name=empty), empty)
    user = caller()
    contacts = _contacts_wanted(user)
    try:
        filters = search.parse_filters(request.args)
        page = search.search(filters, search.parse_paging(request.args))
    except search.PageOutOfRange as refused:
        raise ApiError(404, "page_out_of_range", refused.message, refused.field) from None
    except search.SearchError as refused:
        raise ApiError(400, "invalid_parameter", refused.message, refused.field) from None
    response = jsonify(
        items=[records.record(p, contacts=contacts, profile_url=records.person_url(p.user_id)) for p in page.items],
        page=page.page, per_page=page.per_page, total=page.total, pages=page.pages,
        links=_links(page.page, page.pages),
    )
    if contacts:
        operations.contacts_read(user, filters, page, g.get("api_token_id"))
        db.session.commit()
    # Only an anonymous answer may be kept by shared caches: a signed-in one may carry a refreshed session cookie.
    shared = not contacts and not user.is_authenticated
    response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}" if shared else "private, no-store"
    response.headers["Vary"] = "Cookie, Authorization"
    response.headers["Access-Control-Allow-Origin"] = "*"
    if shared:
        # A program polling the roster gets a 304 without a body while nothing it asked for has changed.
        response.add_etag()
        response.make_conditional(request)
    return response


def _contacts_wanted(user: Any) -> bool:
    """Whether ``include=contacts`` was asked for, by someone allowed to see contacts (else a 403)."""
    includes = [part.strip() for value in request.args.getlist("include") for part in value.split(",")
                if part.strip()]
    if bad := [value for value in includes if value not in INCLUDES]:
        raise ApiError(400, "invalid_parameter", _("include can only be: contacts (not %(value)s).", value=bad[0]),
                       "include")
    if not includes:
        return False
    if not (user.is_authenticated and user.can(Permission.ROSTER_CONTACTS)):
        raise ApiError(403, "partner_only", _("Contact details are for partner organisations only."), "include")
    return True


def _links(page: int, pages: int) -> dict[str, str | None]:
    def at(number: int) -> str:
        args: dict[str, Any] = {name: request.args.getlist(name) for name in request.args if name != "page"}
        return url_for("api.roster", **args, page=number, _external=True)

    return {"self": at(page), "first": at(1), "last": at(pages),
            "prev": at(page - 1) if page > 1 else None, "next": at(page + 1) if page < pages else None}


@bp.get("/openapi.json")
@public
def openapi_document() -> Any:
    response = jsonify(openapi.document())
    response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/docs")
@public
def docs() -> Any:
    return render_template("api/docs.html", vocabularies=openapi.vocabularies(),
                           contacts_permission=Permission.ROSTER_CONTACTS,
                           max_per_page=search.MAX_PER_PAGE, default_per_page=search.DEFAULT_PER_PAGE)
