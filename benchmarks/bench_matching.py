"""SME matching over 100,000 listed profiles: the candidate selection and the whole page, SQLite and PostgreSQL.

    .venv/bin/python benchmarks/bench_matching.py                      # SQLite (a file in a temporary folder)
    LMS_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/lms_bench_match \
        .venv/bin/python benchmarks/bench_matching.py                  # PostgreSQL (the database is recreated)

Profiles are generated with a fixed seed and bulk inserted: home prefectures weighted by population (Tokyo has
about 11 %, Tottori 0.4 %), one to three prefectures served, mostly in the home region, one to five specialties
(patents and trademarks the most common), one or two company types; plus 5 % that are not listed (expired,
withdrawn, deactivated). For several needs the script times ``candidates.top`` (the selection from the search
index, reading the chosen profiles and ranking them with reasons) and a GET of the matching page by a signed-in
partner, and prints p50/p95 and the number of SQL statements of each. Options: LMS_BENCH_PROFILES (100000),
LMS_BENCH_RUNS (runs per need, 30).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROFILES = int(os.environ.get("LMS_BENCH_PROFILES", "100000"))
RUNS = int(os.environ.get("LMS_BENCH_RUNS", "30"))
SEED = 8

#: Population in ten-thousands (2020 census, rounded), JIS order: the weight of each home prefecture.
POPULATION = (522, 124, 121, 230, 96, 107, 183, 287, 193, 194, 734, 628, 1405, 924, 220, 103, 113, 77, 81, 205,
              198, 363, 754, 177, 141, 258, 884, 547, 132, 92, 55, 67, 189, 280, 134, 72, 95, 133, 69, 513, 81,
              131, 174, 112, 107, 159, 147)
#: Specialty weights: the common ones first.
SPECIALTY_WEIGHTS = {"patents": 10, "trademarks": 8, "licensing": 5, "designs": 4, "ip_landscape": 4,
                     "trade_secrets": 3, "overseas_filing": 3, "valuation_financing": 2, "copyright_software": 2,
                     "utility_models": 2, "regional_brands": 2, "open_close": 1, "ip_due_diligence": 1,
                     "enforcement": 1, "intangibles_disclosure": 1}
#: The needs timed: (label, query string of the matching page).
NEEDS = (
    ("Tokyo, patents", "prefecture=13&specialty=patents"),
    ("Tokyo, 3 needs, R&D, on site", "prefecture=13&specialty=patents&specialty=licensing&specialty=open_close"
                                     "&company_type=rd&on_site=true"),
    ("Osaka, designs + trademarks", "prefecture=27&specialty=designs&specialty=trademarks&company_type=other"),
    ("Tottori, 2 rare needs, on site", "prefecture=31&specialty=enforcement&specialty=intangibles_disclosure"
                                       "&on_site=true"),
    ("Okinawa, every specialty", "prefecture=47&" + "&".join(f"specialty={s}" for s in SPECIALTY_WEIGHTS)),
    ("Hokkaido, no specialty", "prefecture=01"),
)


def generate(count: int, seed: int = SEED) -> Iterator[tuple[dict, list[str], dict[str, list[str]]]]:
    """Profiles as (profile columns, prefectures served, terms by kind); ids from 1."""
    from lms.core.prefectures import BY_CODE, CODES
    from lms.roster import masks
    from lms.roster.taxonomy import taxonomy

    rng = random.Random(seed)  # noqa: S311 - generated test data, not cryptography
    by_region: dict[str, list[str]] = {}
    for code in CODES:
        by_region.setdefault(BY_CODE[code].region, []).append(code)
    specialties, weights = list(SPECIALTY_WEIGHTS), list(SPECIALTY_WEIGHTS.values())
    company_types = list(taxonomy().ids("company_types"))
    organisations = list(taxonomy().ids("organisations"))
    for n in range(1, count + 1):
        home = rng.choices(CODES, POPULATION)[0]
        served = {home}
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            served.add(rng.choice(by_region[BY_CODE[home].region]) if rng.random() < 0.7 else rng.choice(CODES))
        chosen: set[str] = set()
        while len(chosen) < rng.randint(1, 5):
            chosen.add(rng.choices(specialties, weights)[0])
        terms = {
            "specialties": sorted(chosen),
            "company_types": sorted(set(rng.sample(company_types, rng.choice((1, 1, 2))))),
            "languages": ["ja", "en"] if rng.random() < 0.2 else ["ja"],
        }
        columns = {"user_id": n, "display_name_latin": f"Professional {n:06d}",
                   "sort_name": f"professional {n:06d}", "organisation": rng.choice(organisations),
                   "on_site": rng.random() < 0.6, "phone": f"03-{n // 10000:04d}-{n % 10000:04d}",
                   # the bit sets the ORM would keep in line with the rows (lms/roster/masks.py)
                   "prefecture_mask": masks.prefectures(served),
                   **{column: masks.terms(kind, terms[kind]) for kind, column in masks.MASK_COLUMNS.items()}}
        yield columns, sorted(served), terms


def populate(count: int, unlisted_share: float = 0.05) -> None:
    """Bulk insert ``count`` listed profiles and about ``unlisted_share`` more that are not listed."""
    from lms.accounts.models import User
    from lms.core.db import db, utcnow
    from lms.roster import index
    from lms.roster.models import RosterPrefecture, RosterProfile, RosterTerm

    now = utcnow()
    total = round(count * (1 + unlisted_share))
    rng = random.Random(SEED + 1)  # noqa: S311 - generated test data
    unlisted = set(rng.sample(range(1, total + 1), total - count))
    users, profiles, prefectures, terms = [], [], [], []

    def flush() -> None:
        for model, rows in ((User, users), (RosterProfile, profiles), (RosterPrefecture, prefectures),
                            (RosterTerm, terms)):
            if rows:
                db.session.execute(sa.insert(model), rows)
            rows.clear()

    for columns, served, by_kind in generate(total):
        n = columns["user_id"]
        why = rng.randrange(3) if n in unlisted else None
        users.append({"id": n, "email": f"pro{n}@example.org", "name_latin": columns["display_name_latin"],
                      "password_hash": "x", "session_token": f"bench-{n}", "active": why != 2,
                      "failed_logins": 0, "created_at": now})
        profiles.append({**columns, "bio_md": "", "bio_html": "", "created_at": now, "updated_at": now,
                         "consented_at": None if why == 0 else now,
                         "certified_until": now - timedelta(days=1) if why == 1 else now + timedelta(days=365)})
        prefectures.extend({"user_id": n, "prefecture_code": code} for code in served)
        terms.extend({"user_id": n, "kind": kind, "term": term} for kind, values in by_kind.items()
                     for term in values)
        if len(users) >= 5000:
            flush()
    flush()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT setval(pg_get_serial_sequence('users', 'id'), :n)"), {"n": total})
    index.changed()  # written with plain SQL: tell the search indexes
    db.session.commit()
    # What autovacuum would have done by the time anyone searches: statistics, and the visibility map that lets
    # the indexes answer alone.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE")


@contextmanager
def counting(engine: sa.Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement != "BEGIN":  # SQLite's explicit transaction start (lms.core.db.configure_sqlite)
            statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def fresh_database_url(tmp: Path) -> str:
    url = os.environ.get("LMS_BENCH_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp / 'bench_matching.sqlite3'}"
    from tests.helpers import scratch_database

    parsed = sa.make_url(url)
    # scratch_database creates "<database>_<suffix>": ask for the parent name so the database is the one given.
    base, _, suffix = (parsed.database or "lms_bench_match").rpartition("_")
    return scratch_database(parsed.set(database=base).render_as_string(hide_password=False), suffix, tmp)


def main() -> None:
    from flask import request
    from flask_migrate import upgrade

    from lms import create_app
    from lms.accounts import operations as accounts
    from lms.core.access import Role
    from lms.core.db import db
    from lms.roster import candidates
    from lms.roster.match_forms import MatchForm
    from tests.helpers import PASSWORD, app_config

    with tempfile.TemporaryDirectory() as tmp:
        url = fresh_database_url(Path(tmp))
        app = create_app(app_config(url, TESTING=False, LMS_LOGIN_RATE_LIMIT="1000 per minute"))
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            populate(PROFILES)
            partner = accounts.register_user(email="partner@example.org", password=PASSWORD, roles=(Role.PARTNER,),
                                             name_latin="Bench Partner", prefecture_code="13")
            db.session.commit()
            print(f"{db.engine.dialect.name}: {PROFILES:,} listed profiles (+5 % unlisted) generated in "
                  f"{time.perf_counter() - started:.1f} s; {RUNS} runs per need, 2 cores shared with other work")
            email = partner.email
        client = app.test_client()
        assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
        with app.app_context():
            engine = db.engine
        print(f"{'need':34} {'select p50':>10} {'p95':>7} {'stmts':>5}   {'page p50':>8} {'p95':>7} {'stmts':>5}"
              "   listed: same prefecture, every need covered")
        for label, query in NEEDS:
            with app.test_request_context(f"/roster/match?{query}"):
                form = MatchForm("en", formdata=request.args)
                assert form.validate(), form.errors
                need = form.need()
            select_times, page_times = [], []
            for run in range(RUNS + 2):  # the first two warm the caches
                with app.app_context(), counting(engine) as select_statements:
                    started = time.perf_counter()
                    chosen = candidates.top(need)
                    elapsed = time.perf_counter() - started
                if run >= 2:
                    select_times.append(elapsed * 1000)
                with counting(engine) as page_statements:
                    started = time.perf_counter()
                    response = client.get(f"/roster/match?{query}")
                    elapsed = time.perf_counter() - started
                assert response.status_code == 200, response.status_code
                if run >= 2:
                    page_times.append(elapsed * 1000)
            (s50, s95), (p50, p95) = percentiles(select_times), percentiles(page_times)
            near = sum(r.match.proximity == 0 for r in chosen)
            complete = sum(len(r.match.specialties_covered) == len(need.specialties) for r in chosen)
            print(f"{label:34} {s50:8.1f}ms {s95:5.1f}ms {len(select_statements):5d}   "
                  f"{p50:6.1f}ms {p95:5.1f}ms {len(page_statements):5d}   "
                  f"{near:2d}/{len(chosen)}, {complete:2d}/{len(chosen)}")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
