"""Partners' personal API tokens: list, create (the secret shown once) and revoke."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.api import operations
from lms.api.forms import TokenForm
from lms.api.models import ApiToken
from lms.core.access import Permission, requires
from lms.core.db import db, utcnow

bp = Blueprint("api_tokens", __name__, url_prefix="/api-tokens", template_folder="templates")


def _page(form: TokenForm, *, secret: str | None = None, status: int = 200) -> tuple[str, int]:
    tokens = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == current_user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()
    return render_template("api/tokens.html", form=form, tokens=tokens, secret=secret, now=utcnow()), status


@bp.get("")
@requires(Permission.ROSTER_CONTACTS)
def index() -> Any:
    return _page(TokenForm())


@bp.post("")
@requires(Permission.ROSTER_CONTACTS)
def create() -> Any:
    form = TokenForm()
    if not form.validate():
        return _page(form, status=422)
    try:
        _token, secret = operations.create_token(current_user, form.name.data, form.days())
    except operations.TokenError as refused:
        form.form_errors.append(refused.message)
        return _page(form, status=409)
    db.session.commit()
    # Rendered, not redirected: the secret must not travel in a flash message (the session cookie is readable).
    return _page(TokenForm(formdata=None), secret=secret, status=201)


@bp.post("/<int:token_id>/revoke")
@requires(Permission.ROSTER_CONTACTS)
def revoke(token_id: int) -> Any:
    token = operations.revoke_token(current_user, token_id)
    if token is None:
        abort(404)
    db.session.commit()
    flash(_("The token “%(name)s” is revoked: requests with it are refused from now on.", name=token.name), "success")
    return redirect(url_for("api_tokens.index"))
