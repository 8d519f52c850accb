"""``lms roster demo``, and the roster's part of ``lms demo``: a working roster for ``make run``.

The demo trainee gets a certificate and joins the roster, and a handful of generated professionals (clearly fake
names, example.org addresses) are listed across the regions, so the roster, its filters and the partners' pages
have something to show. Idempotent: running it again adds nothing that is already there.
"""

from __future__ import annotations

import random
import secrets

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from lms.accounts import operations as accounts
from lms.accounts.cli import add_demo_step
from lms.accounts.models import User
from lms.certification import operations as certification
from lms.certification.lifecycle import Stored
from lms.certification.models import Certificate, Track
from lms.core.access import Role
from lms.core.db import db, utcnow
from lms.core.prefectures import PREFECTURES, REGION_BY_CODE
from lms.roster import operations
from lms.roster.operations import ProfileData
from lms.roster.taxonomy import taxonomy

DEMO_TRAINEE = "trainee@example.org"
DEMO_ADMIN = "admin@example.org"
#: How many generated professionals ``lms demo`` lists (each gets a real, signed certificate and PDF).
GENERATED = 12
_HOMES = ("01", "04", "13", "14", "15", "23", "26", "27", "34", "37", "40", "47")
_FAMILY_JA = ("見本", "試験", "例示", "仮名", "架空", "模擬")
_FAMILY_LATIN = ("Mihon", "Shiken", "Reiji", "Kamei", "Kaku", "Mogi")
_GIVEN_JA = ("一郎", "花子", "次郎", "桜", "健", "舞")
_GIVEN_LATIN = ("Ichiro", "Hanako", "Jiro", "Sakura", "Ken", "Mai")

TRAINEE_BIO = """Demo profile. I coach **manufacturers in the Chubu region** on patents and brands.

- 10 years at a patent firm in Nagoya
- Licensing and joint-development agreements

This person is fictional: see the [certification tracks](/certification/tracks).
"""


@click.group()
def roster() -> None:
    """The roster of certified professionals."""


@roster.command("demo")
@with_appcontext
def demo_command() -> None:
    """Certify the demo trainee and list them, with generated demo professionals (idempotent)."""
    demo()


def demo() -> None:
    """The roster's part of ``lms demo``: the demo trainee certified and listed, plus generated professionals."""
    track = db.session.scalar(db.select(Track).where(Track.retired.is_(False)).order_by(Track.id))
    if track is None:
        click.echo("roster demo: no certification track; run `lms content sync` first")
        return
    admin = accounts.find_by_email(DEMO_ADMIN)
    listed = 0
    with current_app.test_request_context("/"):  # certificates carry absolute verification links
        trainee = accounts.find_by_email(DEMO_TRAINEE)
        if trainee is not None:
            listed += _list(trainee, track, admin, _trainee_profile(trainee))
        rng = random.Random(2026)  # noqa: S311 - demo data, the same people on every machine
        for n in range(1, GENERATED + 1):
            user = _generated_user(n)
            listed += _list(user, track, admin, _generated_profile(user, n, rng))
        db.session.commit()
    click.echo(f"roster demo: {listed} listed now, {GENERATED + 1 - listed} already listed")


def _list(user: User, track: Track, admin: User | None, data: ProfileData) -> int:
    """Make sure ``user`` holds a valid certificate, has a profile and has consented; 1 if anything changed."""
    changed = 0
    if not operations.has_valid_certificate(user.id):
        certificate = Certificate(
            user_id=user.id, track_id=track.id, holder_name_ja=user.name_ja, holder_name_latin=user.name_latin,
            state=Stored.REQUESTED, request_note="Demo data", requested_at=utcnow(),
        )
        db.session.add(certificate)
        db.session.flush()
        certification.issue(certificate, actor_id=admin.id if admin else user.id,
                            ineligible_reason="Demo data for `make run`: not a real certification.")
        changed = 1
    profile = operations.profile_of(user.id)
    if profile is None:
        profile = operations.save_profile(user, data, actor_id=user.id)
        changed = 1
    if profile.consented_at is None:
        operations.opt_in(user, agreed=True)
        changed = 1
    return changed


def _trainee_profile(user: User) -> ProfileData:
    return ProfileData(
        display_name_ja=user.name_ja, display_name_latin=user.name_latin, prefectures=("21", "22", "23", "24"),
        specialties=("patents", "trademarks", "licensing"), company_types=("rd", "regional_brand"),
        languages=("ja", "en"), organisation="patent_attorney", organisation_name="Demo IP Office (fictional)",
        on_site=True, bio_md=TRAINEE_BIO, phone="052-000-0000",
    )


def _generated_user(n: int) -> User:
    email = f"roster-demo-{n:02d}@example.org"
    user = accounts.find_by_email(email)
    if user is None:
        i, home = n - 1, _HOMES[(n - 1) % len(_HOMES)]
        user = accounts.register_user(
            email=email, password=secrets.token_urlsafe(24), roles=[Role.TRAINEE], prefecture_code=home,
            name_ja=f"{_FAMILY_JA[i % 6]} {_GIVEN_JA[(i // 6 + i) % 6]}（デモ）",
            name_latin=f"{_GIVEN_LATIN[(i // 6 + i) % 6]} {_FAMILY_LATIN[i % 6]} (demo)",
        )
    return user


def _generated_profile(user: User, n: int, rng: random.Random) -> ProfileData:
    home = user.prefecture_code or "13"
    region = REGION_BY_CODE[next(p.region for p in PREFECTURES if p.code == home)]
    same_region = [p.code for p in PREFECTURES if p.region == region.code and p.code != home]
    served = (home, *rng.sample(same_region, min(len(same_region), rng.randint(0, 3))))
    specialties = rng.sample(taxonomy().ids("specialties"), rng.randint(1, 4))
    company_types = rng.sample([t for t in taxonomy().ids("company_types") if t != "other"], rng.randint(1, 2))
    languages = ["ja", *rng.sample(["en", "zh", "ko", "vi"], rng.choice((0, 0, 1)))]
    return ProfileData(
        display_name_ja=user.name_ja, display_name_latin=user.name_latin, prefectures=served,
        specialties=tuple(specialties), company_types=tuple(company_types), languages=tuple(languages),
        organisation=rng.choice(taxonomy().ids("organisations")),
        organisation_name=f"Demo organisation {n:02d} (fictional)", on_site=rng.random() < 0.7,
        bio_md=f"Generated demo professional based in {region.name_en}. *Not a real person.*",
        phone=f"03-0000-{n:04d}",
    )


def init_app(app: Flask) -> None:
    """Add ``lms roster ...``, and the demo roster to ``lms demo``."""
    app.cli.add_command(roster)
    add_demo_step(app, demo)
