"""Fixtures for the certification core: a key directory, an issuer and a certificate, with no database."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lms.certification import keys
from lms.certification.credential import Certificate, Holder, Issuer, Links, Track, build_credential

STANDARDS = Path(__file__).parent / "standards"
SCHEMA_FILE = STANDARDS / "ob_v3p0_achievementcredential_schema.json"
BASE_URL = "https://lms.example.jp"


@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "keys"
    keys.ensure_directory(directory)
    return directory


@pytest.fixture
def keyring(key_dir: Path) -> keys.KeyRing:
    return keys.load_directory(key_dir)


@pytest.fixture
def issuer() -> Issuer:
    return Issuer(
        id=f"{BASE_URL}/issuer",
        name="IP Management Support Network (INPIT)",
        url=BASE_URL,
        email="certification@example.jp",
    )


@pytest.fixture
def certificate() -> Certificate:
    return Certificate(
        public_id="c7Hq2VnX4kPz9RtYwL3mBd",
        serial="IPMS-2026-000123",
        holder=Holder(name_latin="Hanako Yamada", name_ja="山田 花子", email="hanako@example.jp", email_salt="s4lt"),
        track=Track(
            slug="ip-management-professional",
            name_en="IP Management Support Professional",
            name_ja="知財経営支援専門家",
            description_en="Certifies the ability to link an SME's management strategy with its IP strategy.",
            description_ja="中小企業の経営戦略と知財戦略を結び付けて支援できることを認定します。",
            criteria_narrative="- Pass the final exams of the three required courses with at least 70%.\n"
            "- Have an on-site coaching practicum report approved (rubric minimum 3 of 4).",
        ),
        valid_from=datetime(2026, 4, 1, 9, 30, tzinfo=UTC),
        valid_until=datetime(2029, 3, 31, 23, 59, 59, tzinfo=UTC),
        status_index=4242,
    )


@pytest.fixture
def links(certificate: Certificate) -> Links:
    return Links.default(BASE_URL, certificate.public_id, certificate.track.slug)


@pytest.fixture
def vc(certificate: Certificate, issuer: Issuer, links: Links) -> dict:
    return build_credential(certificate, issuer, links)


@pytest.fixture(scope="session")
def ob_schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
