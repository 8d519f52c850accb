"""Roster search over 100,000 listed profiles: p50/p95 of ``search()`` per filter combination, and statements a page.

    LMS_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/lms_bench_roster \
        .venv/bin/python benchmarks/bench_roster_search.py
    LMS_BENCH_DATABASE_URL=sqlite:////tmp/lms_bench_roster.sqlite3 .venv/bin/python benchmarks/bench_roster_search.py

The database is dropped and generated afresh: 100,000 listed profiles (``LMS_BENCH_PROFILES``) plus 5% expired,
5% never consented or withdrawn and 1% with a deactivated account, each with a bio of a few hundred characters
(a real profile's width), bulk inserted with executemany. Prefectures
follow population (a professional serves their home prefecture and often neighbours in the region), specialties,
company types and languages follow plausible weights. Each combination is searched ``LMS_BENCH_RUNS`` times
after a warm-up, as a running server is (``LMS_BENCH_REUSE=1`` measures again without generating); the figures
are the server-side time of ``search()`` (the count and the page, and the page's profiles with their accounts),
which is what a roster page or the API spends finding its people, and the CPU time a search used (this process
plus, on PostgreSQL, the connection's server process): on a shared machine the wall-clock figures include waiting
for a core, CPU time does not. Goal: p95 <= 20 ms for every one. Last, the first search after each of five
committed changes, which rebuilds the process's search index (lms/roster/index.py).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get(
    "LMS_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/lms_bench_roster"
)
PROFILES = int(os.environ.get("LMS_BENCH_PROFILES", "100000"))
RUNS = int(os.environ.get("LMS_BENCH_RUNS", "40"))
#: Set to 1 to measure again on the data of the previous run (same code, same schema).
REUSE = os.environ.get("LMS_BENCH_REUSE") == "1"
GOAL_MS = 20.0
CHUNK = 5000

#: Population in 10,000s (2020 census, rounded), JIS order: where professionals live and work.
POPULATION = (
    522, 124, 121, 230, 96, 107, 183, 287, 193, 194, 734, 628, 1405, 924, 220, 103, 113, 77, 81, 205, 198, 363,
    754, 177, 141, 258, 884, 547, 132, 92, 55, 67, 189, 280, 134, 72, 95, 133, 69, 514, 81, 131, 174, 112, 107,
    159, 147,
)
SPECIALTY_WEIGHTS = {
    "patents": 30, "trademarks": 25, "designs": 10, "licensing": 12, "ip_landscape": 8, "trade_secrets": 8,
    "overseas_filing": 8, "valuation_financing": 4, "copyright_software": 5, "regional_brands": 3,
    "utility_models": 3, "open_close": 3, "ip_due_diligence": 2, "enforcement": 3, "intangibles_disclosure": 1,
}
COMPANY_WEIGHTS = {"rd": 40, "startup_overseas": 20, "ip_financing": 10, "regional_brand": 15, "other": 15}
#: Bios as profiles have them (a few hundred characters each way), so the table is as wide as a real one.
BIO_MD = tuple(
    f"Bio {i}: **{years} years** coaching manufacturers and startups on patents, trademarks and licensing. "
    "I visit companies on site across the region, help them map their technology and brands, and link the IP "
    "strategy to the business plan. 特許・商標・ライセンスを中心に、地域の中小企業の知財経営を支援しています。"
    for i, years in enumerate((8, 15, 22))
)
BIO_HTML = tuple(f"<p>{md.replace('**', '')}</p>" for md in BIO_MD)
SYLLABLES = ("ka", "ki", "ku", "sa", "shi", "ta", "to", "na", "no", "ha", "hi", "ma", "mi", "ya", "yo", "ra", "ri",
             "wa", "o", "e", "a", "u", "ko", "se")


def _name(rng: random.Random) -> str:
    word = lambda: "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()  # noqa: E731
    return f"{word()} {word()}"


def generate(rng: random.Random, now) -> tuple[list[dict], list[dict], list[dict], list[dict]]:
    """Users, profiles, prefecture rows and term rows: PROFILES listed, plus expired, unconsented, deactivated."""
    from lms.core.prefectures import PREFECTURES
    from lms.roster import masks

    codes = [p.code for p in PREFECTURES]
    by_region: dict[str, list[str]] = {}
    for p in PREFECTURES:
        by_region.setdefault(p.region, []).append(p.code)
    region_of = {p.code: p.region for p in PREFECTURES}
    organisations = ["jpo", "sme_agency", "inpit", "patent_attorney", "chamber_of_commerce", "regional_support",
                     "financial_institution", "other"]
    specialties, specialty_weights = zip(*SPECIALTY_WEIGHTS.items(), strict=True)
    companies, company_weights = zip(*COMPANY_WEIGHTS.items(), strict=True)
    extra = int(PROFILES * 0.05)
    total = PROFILES + 2 * extra + PROFILES // 100
    users, profiles, prefectures, terms = [], [], [], []
    for n in range(1, total + 1):
        kind = ("listed" if n <= PROFILES else "expired" if n <= PROFILES + extra
                else "unconsented" if n <= PROFILES + 2 * extra else "inactive")
        name = _name(rng)
        home = rng.choices(codes, POPULATION)[0]
        users.append({"id": n, "email": f"bench{n}@example.org", "name_latin": name, "password_hash": "x",
                      "session_token": f"bench-{n}", "active": kind != "inactive", "failed_logins": 0,
                      "created_at": now})
        profiles.append({
            "user_id": n, "display_name_latin": name, "sort_name": name.casefold(),
            "organisation": rng.choice(organisations), "organisation_name": f"{name} IP Office",
            "on_site": rng.random() < 0.6, "bio_md": BIO_MD[n % 3], "bio_html": BIO_HTML[n % 3],
            "display_name_ja": f"見本 {n}", "phone": f"03-{n % 10000:04d}-{n // 10000:04d}",
            "consented_at": None if kind == "unconsented" else now - timedelta(days=rng.randint(0, 900)),
            "withdrawn_at": now if kind == "unconsented" and rng.random() < 0.5 else None,
            "certified_until": now + timedelta(days=rng.randint(1, 1095)) if kind != "expired"
            else now - timedelta(days=rng.randint(1, 400)),
            "created_at": now, "updated_at": now,
        })
        served = {home}
        if rng.random() < 0.03:  # some serve their whole region
            served.update(by_region[region_of[home]])
        else:
            neighbours = [c for c in by_region[region_of[home]] if c != home]
            served.update(rng.sample(neighbours, min(len(neighbours), rng.choice((0, 0, 1, 1, 2, 3)))))
        prefectures.extend({"user_id": n, "prefecture_code": code} for code in sorted(served))
        chosen = set(rng.choices(specialties, specialty_weights, k=rng.randint(1, 4)))
        chosen_companies = set(rng.choices(companies, company_weights, k=rng.randint(1, 2)))
        languages = {"ja"} | {lang for lang, p in (("en", 0.2), ("zh", 0.05), ("ko", 0.03), ("vi", 0.01))
                              if rng.random() < p}
        profiles[-1]["prefecture_mask"] = masks.prefectures(served)
        for term_kind, values in (("specialties", chosen), ("company_types", chosen_companies),
                                  ("languages", languages)):
            terms.extend({"user_id": n, "kind": term_kind, "term": v} for v in sorted(values))
            profiles[-1][masks.MASK_COLUMNS[term_kind]] = masks.terms(term_kind, values)
    return users, profiles, prefectures, terms


def insert(db, table: sa.Table, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(table.insert(), rows[start:start + CHUNK])


def populate(app) -> None:
    from lms.accounts.models import User
    from lms.core.db import db, utcnow
    from lms.roster import index
    from lms.roster.models import RosterPrefecture, RosterProfile, RosterTerm

    started = time.perf_counter()
    with app.app_context():
        users, profiles, prefectures, terms = generate(random.Random(2026), utcnow())  # noqa: S311 - test data
        for table, rows in ((User.__table__, users), (RosterProfile.__table__, profiles),
                            (RosterPrefecture.__table__, prefectures), (RosterTerm.__table__, terms)):
            insert(db, table, rows)
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("SELECT setval('users_id_seq', (SELECT max(id) FROM users))"))
        index.changed()  # written with plain SQL: tell running app servers' search indexes
        db.session.commit()
        # VACUUM (not only ANALYZE) on PostgreSQL sets the visibility map, as autovacuum would on a live system,
        # so that index-only scans need no heap visits.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE" if conn.dialect.name == "postgresql" else "ANALYZE"))
        print(f"generated {len(profiles):,} profiles ({PROFILES:,} listed), {len(prefectures):,} prefecture rows, "
              f"{len(terms):,} term rows in {time.perf_counter() - started:.1f} s")


COMBINATIONS = [
    "", "prefecture=13", "prefecture=39", "region=kanto", "region=shikoku", "specialty=patents",
    "specialty=intangibles_disclosure", "company_type=ip_financing", "language=en", "language=vi", "on_site=true",
    "prefecture=13&specialty=patents", "region=kyushu&specialty=trademarks&on_site=true",
    "prefecture=39&specialty=valuation_financing&language=en",
    "specialty=patents&specialty=trademarks&company_type=rd&language=ja",
    "prefecture=11&prefecture=12&prefecture=13&prefecture=14&specialty=licensing&company_type=startup_overseas"
    "&on_site=true",
    "region=hokkaido&language=vi&on_site=false",
    "per_page=100", "page=50", "page=LAST", "prefecture=13&page=LAST", "specialty=patents&per_page=100&page=LAST",
    "region=kinki&specialty=designs&page=LAST",
]


def _cpu_seconds(backend_pid: int | None) -> float:
    """CPU time used so far by this process and, on PostgreSQL, by our connection's server process.

    Wall-clock figures on a shared machine include waiting for a core; CPU time per search does not, so it shows
    what the search costs with the machine to itself (SQLite runs in this process; PostgreSQL in its backend).
    """
    used = time.process_time()
    if backend_pid is not None:
        fields = Path(f"/proc/{backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
        used += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    return used


def measure(app) -> list[tuple[str, int, float, float, float, int]]:
    from werkzeug.datastructures import MultiDict

    from lms.core.db import db
    from lms.roster import search

    statements: list[str] = []
    rows = []
    with app.test_request_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        backend_pid = (db.session.scalar(sa.text("SELECT pg_backend_pid()"))
                       if db.engine.dialect.name == "postgresql" else None)
        for query in COMBINATIONS:
            args = MultiDict([tuple(pair.split("=", 1)) for pair in query.split("&") if pair])
            filters = search.parse_filters(args)
            if args.get("page") == "LAST":
                args.pop("page")
                first = search.search(filters, search.parse_paging(args))
                args["page"] = str(first.pages)
            paging = search.parse_paging(args)
            timings = []
            for run in range(RUNS + 3):
                if run == 3:  # warm-up first, as a running server is
                    cpu = _cpu_seconds(backend_pid)
                db.session.expunge_all()
                statements.clear()
                started = time.perf_counter()
                page = search.search(filters, paging)
                elapsed = (time.perf_counter() - started) * 1000
                if run >= 3:
                    timings.append(elapsed)
            cpu_ms = (_cpu_seconds(backend_pid) - cpu) * 1000 / RUNS
            p50 = statistics.median(timings)
            p95 = statistics.quantiles(timings, n=20)[18]
            label = query.replace("LAST", str(paging.page)) or "(none)"
            rows.append((label, page.total, p50, p95, cpu_ms, len(statements)))
            db.session.rollback()
    return rows


def measure_rebuilds(app, times: int = 5) -> list[float]:
    """Milliseconds of the first search after a committed change (the process rebuilds its index)."""
    from lms.core.db import db
    from lms.roster import index, search
    from lms.roster.models import RosterProfile

    found = []
    with app.test_request_context():
        someone = db.session.scalar(sa.select(RosterProfile).where(RosterProfile.consented_at.is_not(None)).limit(1))
        for _ in range(times):
            someone.on_site = not someone.on_site
            db.session.commit()
            started = time.perf_counter()
            search.search(search.Filters())
            found.append((time.perf_counter() - started) * 1000)
        built = index.current()
        arrays = (built.user_ids, built.until, built.active, built.on_site, *built.masks.values())
        print(f"search index of this process: {len(built.user_ids):,} profiles in "
              f"{sum(a.nbytes for a in arrays) / 2**20:.1f} MiB")
    return found


def main() -> None:
    from flask_migrate import upgrade

    from lms import create_app
    from tests.helpers import recreate_database

    app = create_app({"SQLALCHEMY_DATABASE_URI": DATABASE_URL})
    if not REUSE:
        recreate_database(DATABASE_URL)
    with app.app_context():
        upgrade()  # with LMS_BENCH_REUSE=1, brings the kept database to the code's schema
    if not REUSE:
        populate(app)
    load = os.getloadavg()[0]
    rows = measure(app)
    rebuilds = measure_rebuilds(app)
    print(f"\nroster search on {sa.make_url(DATABASE_URL).get_backend_name()}, {RUNS} runs each (ms); "
          f"load average {load:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'filters':<64} {'found':>7} {'p50':>7} {'p95':>7} {'cpu':>6} {'stmts':>5}")
    for query, total, p50, p95, cpu_ms, count in rows:
        flag = "" if p95 <= GOAL_MS else "  p95 over the goal"
        print(f"{query[:64]:<64} {total:>7,} {p50:>7.1f} {p95:>7.1f} {cpu_ms:>6.1f} {count:>5}{flag}")
    worst = max(rows, key=lambda r: r[3])
    worst_cpu = max(rows, key=lambda r: r[4])
    print(f"\nworst p95: {worst[3]:.1f} ms ({worst[0]}); goal {GOAL_MS:.0f} ms: "
          f"{'met' if worst[3] <= GOAL_MS else 'MISSED'}; worst CPU a search (client + database): "
          f"{worst_cpu[4]:.1f} ms ({worst_cpu[0]}); statements a page: {sorted({r[5] for r in rows})}")
    print(f"first search after a change (this process rebuilds its index), {len(rebuilds)} changes: "
          f"median {statistics.median(rebuilds):.0f} ms, slowest {max(rebuilds):.0f} ms")


if __name__ == "__main__":
    main()
