"""Time an administrator's bulk issue of 200 certificate requests through HTTP, on a scratch SQLite database.

Run: .venv/bin/python benchmarks/bench_bulk_issue.py   (or `make bench`)
Prints the time of the one bulk-issue request and of the first and a later download of one certificate's PDF
(rendered on first download, then served as stored).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lms import create_app
from lms.accounts import operations as accounts
from lms.certification import keys
from lms.certification.lifecycle import Stored
from lms.certification.models import Certificate, Track
from lms.core.access import Role
from lms.core.db import db
from tests.helpers import PASSWORD, app_config

REQUESTS = 200


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    keys.ensure_directory(folder / "keys")
    app = create_app(app_config(f"sqlite:///{folder / 'bench.sqlite3'}", LMS_SIGNING_KEYS_DIR=str(folder / "keys")))
    with app.app_context():
        upgrade()
        db.session.add(Track(
            id="bench", name_en="IP Management Support Professional", name_ja="知財経営支援専門人材",
            summary_html_en="<p>x</p>", summary_html_ja="<p>x</p>", serial_prefix="BENCH", validity_years=3,
            renewal_ce_hours=10, renewal_refresher_course=None, practicum_required=False, content_hash="0" * 64,
        ))
        accounts.register_user(email="admin@bench.example.org", password=PASSWORD, name_latin="Admin",
                                       roles=(Role.ADMINISTRATOR,))
        for i in range(REQUESTS):
            user = accounts.register_user(email=f"holder{i}@bench.example.org", password=PASSWORD,
                                          name_latin=f"Holder {i}", name_ja=f"保持者 {i}")
            db.session.add(Certificate(user=user, track_id="bench", holder_name_latin=user.name_latin,
                                       holder_name_ja=user.name_ja))
        db.session.commit()
        ids = list(db.session.scalars(sa.select(Certificate.public_id)))

    client = app.test_client()
    client.post("/login", data={"email": "admin@bench.example.org", "password": PASSWORD})
    start = time.perf_counter()
    response = client.post("/certification/requests/issue",
                           data={"certificate": ids, "ineligible_reason": "benchmark holders without courses"})
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.status_code
    with app.app_context():
        issued = db.session.scalar(sa.select(sa.func.count()).where(Certificate.state == Stored.ISSUED))
    assert issued == REQUESTS, issued
    print(f"bulk issue of {REQUESTS} requests: {elapsed:.2f} s in one request "
          f"({elapsed / REQUESTS * 1000:.1f} ms each)")

    for label in ("first", "later"):
        start = time.perf_counter()
        response = client.get(f"/certification/certificates/{ids[0]}/certificate.pdf")
        assert response.status_code == 200, response.status_code
        assert response.data.startswith(b"%PDF")
        print(f"PDF download ({label}): {(time.perf_counter() - start) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
