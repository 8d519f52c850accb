"""The public contracts (DESIGN.md section 7): verification page, credentials, status list, JWK Set, issuer."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify, render_template

from lms.certification import credential, lifecycle, operations
from lms.certification.lifecycle import Stored
from lms.certification.models import Certificate
from lms.core.access import public
from lms.core.db import db, utcnow

bp = Blueprint("credentials", __name__, template_folder="templates")

#: What a public id looks like (``secrets.token_urlsafe``); anything else is unknown without a query.
PUBLIC_ID = re.compile(r"^[A-Za-z0-9_-]{16,32}$")
#: States a verifier may learn about (a request or a rejection is not a certificate).
PUBLISHED = (Stored.ISSUED, Stored.REVOKED, Stored.RENEWED)


def published(public_id: str) -> Certificate | None:
    if not PUBLIC_ID.match(public_id):
        return None
    return db.session.scalar(
        sa.select(Certificate).where(Certificate.public_id == public_id, Certificate.state.in_(PUBLISHED))
    )


def _unknown() -> tuple[str, int]:
    return render_template("certification/verify_unknown.html"), 404


@bp.get("/verify/<public_id>")
@public
def verify(public_id: str) -> Any:
    certificate = published(public_id)
    if certificate is None:
        return _unknown()
    status = lifecycle.status(certificate.state, certificate.valid_until, utcnow())
    return render_template("certification/verify.html", certificate=certificate, status=status.value)


@bp.get("/credentials/<public_id>", endpoint="credential")
@public
def signed_credential(public_id: str) -> Any:
    certificate = published(public_id)
    if certificate is None or not certificate.credential_jwt:
        return _unknown()
    return Response(certificate.credential_jwt, mimetype=credential.MEDIA_TYPE,
                    headers={"Access-Control-Allow-Origin": "*"})


@bp.get("/credentials/status/<list_id>")
@public
def status_list(list_id: str) -> Any:
    if list_id != operations.STATUS_LIST_ID:
        return _unknown()
    response = Response(operations.status_list_token(), mimetype=credential.MEDIA_TYPE)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/.well-known/jwks.json")
@public
def jwks() -> Any:
    response = jsonify(operations.keyring().jwks())
    response.mimetype = "application/jwk-set+json"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/issuer")
@public
def issuer() -> Any:
    return jsonify(credential.issuer_profile(operations.issuer()))

