"""GET /api/v1/roster and the partners' exports over a large generated roster, PostgreSQL.

    LMS_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/lms_bench_roster_api \
        LMS_BENCH_PROFILES=100000 .venv/bin/python benchmarks/bench_roster_api.py

Profiles are generated in SQL (generate_series): 1-2 prefectures, 2 specialties, a company type and 1-2 languages
each; about 10% not consenting, 5% not certified, 1% deactivated. The figures are server time of whole requests
through the app (parsing, the search's queries, serialisation to JSON), measured with Flask's test client.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "Correct-Horse-Battery-42"  # noqa: S105 - the benchmark's own throw-away account
DATABASE_URL = os.environ.get("LMS_BENCH_DATABASE_URL",
                              "postgresql+psycopg://postgres@127.0.0.1/lms_bench_roster_api")
PROFILES = int(os.environ.get("LMS_BENCH_PROFILES", "100000"))
REPEAT = 30
QUERIES = [
    "", "per_page=100", "page=500", "prefecture=13", "region=kinki&specialty=trademarks",
    "prefecture=01,47&on_site=true", "specialty=patents,designs&company_type=rd&language=en",
    "region=shikoku&specialty=valuation_financing&on_site=false&per_page=100", "include=contacts&prefecture=27",
]


def generate(db, taxonomy) -> None:  # type: ignore[no-untyped-def]
    from lms.roster import index, masks

    ids = {kind: taxonomy.ids(kind) for kind in ("specialties", "company_types", "organisations")}
    run = db.session.execute
    pick = "(CAST(:{0} AS text[]))[1 + {1} % cardinality(CAST(:{0} AS text[]))]".format
    run(sa.text(
        "INSERT INTO users (id, email, name_latin, password_hash, session_token, active, failed_logins, created_at) "
        "SELECT n, 'holder' || n || '@example.org', 'Holder ' || n, 'x', md5(n::text), n % 100 <> 0, 0, now() "
        "FROM generate_series(1, :n) AS n"), {"n": PROFILES})
    run(sa.text("SELECT setval('users_id_seq', :n)"), {"n": PROFILES})
    run(sa.text(
        "INSERT INTO roster_profiles (user_id, display_name_latin, sort_name, organisation, on_site, bio_md, "
        "bio_html, phone, consented_at, certified_until, created_at, updated_at, "
        "prefecture_mask, specialty_mask, company_type_mask, language_mask) "
        "SELECT n, 'Holder ' || n, 'holder ' || lpad(n::text, 7, '0'), " + pick("orgs", "n") + ", "
        "n % 3 = 0, 'Bio', '<p>Bio of holder ' || n || '</p>', '03-0000-' || lpad((n % 10000)::text, 4, '0'), "
        "CASE WHEN n % 10 <> 0 THEN now() END, "
        "CASE WHEN n % 20 <> 0 THEN now() + interval '1 year' END, now(), now(), "
        # the bit sets of the rows inserted below (lms/roster/masks.py): bit = JIS code - 1, or the term's position
        "(1::bigint << (n % 47)) | CASE WHEN n % 2 = 0 THEN 1::bigint << ((n * 7) % 47) ELSE 0 END, "
        "(1::bigint << (n % :ns)) | (1::bigint << ((n / 7) % :ns)), 1::bigint << (n % :nc), "
        ":ja | CASE WHEN n % 5 = 0 THEN :en ELSE 0 END "
        "FROM generate_series(1, :n) AS n"),
        {"n": PROFILES, "orgs": list(ids["organisations"]), "ns": len(ids["specialties"]),
         "nc": len(ids["company_types"]), "ja": masks.terms("languages", ["ja"]),
         "en": masks.terms("languages", ["en"])})
    run(sa.text(
        "INSERT INTO roster_profile_prefectures (user_id, prefecture_code) "
        "SELECT n, lpad((1 + n % 47)::text, 2, '0') FROM generate_series(1, :n) AS n "
        "UNION SELECT n, lpad((1 + (n * 7) % 47)::text, 2, '0') FROM generate_series(1, :n) AS n WHERE n % 2 = 0"),
        {"n": PROFILES})
    run(sa.text(
        "INSERT INTO roster_profile_terms (user_id, kind, term) "  # noqa: S608 - fixed fragments; values are bound
        f"SELECT n, 'specialties', {pick('s', 'n')} FROM generate_series(1, :n) AS n "
        f"UNION SELECT n, 'specialties', {pick('s', '(n / 7)')} FROM generate_series(1, :n) AS n "
        f"UNION SELECT n, 'company_types', {pick('c', 'n')} FROM generate_series(1, :n) AS n "
        "UNION SELECT n, 'languages', 'ja' FROM generate_series(1, :n) AS n "
        "UNION SELECT n, 'languages', 'en' FROM generate_series(1, :n) AS n WHERE n % 5 = 0"),
        {"n": PROFILES, "s": list(ids["specialties"]), "c": list(ids["company_types"])})
    index.changed()  # written with plain SQL: tell the search indexes
    db.session.commit()
    # As a live database would be: statistics current and the visibility map set (index-only scans).
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))


def timed(client, url: str) -> tuple[float, int, bytes]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    response = client.get(url)
    body = response.get_data()
    return (time.perf_counter() - started) * 1000, response.status_code, body


def p95(times: list[float]) -> float:
    return sorted(times)[int(0.95 * (len(times) - 1))]


def search_p95(app, query: str) -> float:  # type: ignore[no-untyped-def]
    """The part of a request that is lms.roster.search itself (parsing and its queries), for comparison."""
    from werkzeug.datastructures import MultiDict

    from lms.roster import search

    args = MultiDict(parse_qsl(query))
    args.pop("include", None)
    times = []
    with app.test_request_context():
        for _ in range(REPEAT):
            started = time.perf_counter()
            search.search(search.parse_filters(args), search.parse_paging(args))
            times.append((time.perf_counter() - started) * 1000)
    return p95(times)


def main() -> None:
    from flask_migrate import upgrade

    from lms import create_app
    from lms.accounts import operations
    from lms.core.access import Role
    from lms.core.db import db
    from lms.roster.taxonomy import taxonomy
    from tests.helpers import recreate_database

    recreate_database(DATABASE_URL)
    app = create_app({"SQLALCHEMY_DATABASE_URI": DATABASE_URL, "LMS_API_RATE_LIMIT": "1000000 per minute",
                      "LMS_FAST_PASSWORD_HASH": True, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        generate(db, taxonomy())
        listed = db.session.scalar(sa.text(
            "SELECT count(*) FROM roster_profiles WHERE consented_at IS NOT NULL AND certified_until > now()"))
        print(f"generated {PROFILES:,} profiles ({listed:,} consenting and certified) "
              f"in {time.perf_counter() - started:.1f} s")
        operations.register_user(email="bench-partner@example.org", password=PASSWORD,
                                 name_latin="Bench Partner", roles=(Role.PARTNER,))
        db.session.commit()

    client = app.test_client()
    response = client.post("/login", data={"email": "bench-partner@example.org",
                                            "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    print(f"{'GET /api/v1/roster?':<75} {'p50 ms':>7} {'p95 ms':>7} {'total':>7} {'search p95':>10}")
    for query in QUERIES:
        url = f"/api/v1/roster?{query}"
        timed(client, url)  # warm
        runs = [timed(client, url) for _ in range(REPEAT)]
        assert all(status == 200 for _ms, status, _body in runs), (query, runs[0][1], runs[0][2][:200])
        times = sorted(ms for ms, _status, _body in runs)
        total = json.loads(runs[0][2])["total"]
        print(f"{query or '(no filter)':<75} {statistics.median(times):7.1f} {p95(times):7.1f} {total:7,} "
              f"{search_p95(app, query):10.1f}")
    for fmt, query in (("csv", "region=kanto"), ("json", "region=kanto"), ("csv", "")):
        ms, status, body = timed(client, f"/roster/export.{fmt}?{query}")
        assert status == 200
        rows = body.count(b"\n") - (1 if fmt == "csv" else 2)
        print(f"export.{fmt}?{query:<20} {rows:8,} rows {ms / 1000:6.2f} s  {rows / (ms / 1000):9,.0f} rows/s  "
              f"{len(body) / 1e6:6.1f} MB")


if __name__ == "__main__":
    main()
