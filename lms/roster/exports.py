"""Partners' exports of the roster: every listed person matching the roster's filters, as CSV or JSON, audited.

The filters are ``search.parse_filters``'s (an unknown value is a 400 naming it); rows are
``records.record`` with contact details, streamed in the roster's stable order so that a large export never sits
in memory. The audit entry (who, which filters, how many rows) is committed before the first byte is sent.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, request, stream_with_context
from flask_login import current_user
from sqlalchemy.orm import aliased

from lms.accounts.models import User
from lms.core import audit, spreadsheet
from lms.core.access import Permission, requires
from lms.core.db import db, utcnow
from lms.roster import masks, records, search
from lms.roster.listing import ORDER, listed
from lms.roster.models import RosterProfile

bp = Blueprint("roster_exports", __name__, url_prefix="/roster")

#: The profile's own columns a record needs (besides the order columns and the account's email).
_COLUMNS = (RosterProfile.display_name_ja, RosterProfile.display_name_latin, RosterProfile.organisation,
            RosterProfile.organisation_name, RosterProfile.on_site, RosterProfile.bio_html, RosterProfile.phone)
_MASKS = (RosterProfile.prefecture_mask, *(getattr(RosterProfile, c) for c in masks.MASK_COLUMNS.values()))

#: Profiles read per batch while streaming (one query each).
BATCH = 500


@bp.get("/export.csv")
@requires(Permission.ROSTER_CONTACTS)
def export_csv() -> Any:
    filters, now, _count = _start("csv")
    return _download(_csv(filters, now), "text/csv; charset=utf-8", _filename(now, "csv"))


@bp.get("/export.json")
@requires(Permission.ROSTER_CONTACTS)
def export_json() -> Any:
    filters, now, count = _start("json")
    return _download(_json(filters, now, count), "application/json", _filename(now, "json"))


def _start(fmt: str) -> tuple[search.Filters, datetime, int]:
    """Parse the filters, count the rows and commit the audit entry: a refused export writes nothing.

    Other parameters (the HTML roster's ``page``, ``per_page``) are ignored, so the roster page can link to an
    export of what it shows with its own query string.
    """
    try:
        filters = search.parse_filters(request.args)
    except search.SearchError as refused:
        abort(400, refused.message)
    now = utcnow()
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(RosterProfile).where(listed(now), *search.conditions(filters))
    ) or 0
    audit.record("roster.export", "roster", "export", actor_id=current_user.id, format=fmt, rows=count,
                 filters=records.described(filters))
    db.session.commit()
    return filters, now, count


def _rows(filters: search.Filters, now: datetime) -> Iterator[records.Record]:
    """Every matching profile, read in batches that each continue after the last one (keyset paging).

    Plain rows, not ORM objects: building eight objects per person (profile, account, roles, prefectures, terms)
    was most of an export's time. The prefectures and terms come from the profile's bit sets, as on the roster's
    pages. A server-side cursor (``yield_per``) was worse: PostgreSQL planned the batches for a fast start.
    """
    order = ORDER
    account = aliased(User)  # the listing's anti-join names the users table: this join must not be correlated
    query = (
        search.matching(filters, now)
        .with_only_columns(*order, *_COLUMNS, *_MASKS, account.email)
        .join_from(RosterProfile, account, account.id == RosterProfile.user_id)
        .limit(BATCH)
    )
    after: tuple[str, int] | None = None
    while True:
        batch = query if after is None else query.where(sa.tuple_(*order) > sa.tuple_(*after))
        rows = db.session.execute(batch).all()
        for row in rows:
            listed = records.Listed(
                user_id=row.user_id, **{column.key: getattr(row, column.key) for column in _COLUMNS}, email=row.email,
                prefectures=tuple(masks.prefecture_codes(row.prefecture_mask)),
                terms={kind: tuple(masks.term_ids(kind, getattr(row, column)))
                       for kind, column in masks.MASK_COLUMNS.items()},
            )
            yield records.record(listed, contacts=True, profile_url=records.person_url(row.user_id))
        if len(rows) < BATCH:
            return
        after = (rows[-1].sort_name, rows[-1].user_id)


def _csv(filters: search.Filters, now: datetime) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # A byte-order mark, so that Excel opens the UTF-8 file with its Japanese intact.
    buffer.write(spreadsheet.BOM)
    writer.writerow(records.csv_header(contacts=True))
    for n, found in enumerate(_rows(filters, now), 1):
        writer.writerow(records.csv_row(found))
        if n % 100 == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _json(filters: search.Filters, now: datetime, count: int) -> Iterator[str]:
    yield f'{{"exported_at": {json.dumps(now.isoformat())}, "total": {count}, "items": ['
    for n, found in enumerate(_rows(filters, now)):
        yield ("," if n else "") + "\n" + json.dumps(found, ensure_ascii=False)
    yield "\n]}\n"


def _filename(now: datetime, extension: str) -> str:
    return f"roster-{now.strftime('%Y%m%d-%H%M%S')}.{extension}"


def _download(body: Iterator[str], mimetype: str, filename: str) -> Response:
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
