"""API fixtures: the roster's holders (tests/roster/conftest.py) and a small roster to search."""

from __future__ import annotations

import pytest

from lms.core.access import Role
from lms.core.markdown import render
from tests.roster.conftest import certify, make_profile, roster_track  # noqa: F401 - fixtures shared with roster


@pytest.fixture
def roster(make_user, certify, make_profile):  # noqa: F811 - the imported fixtures
    """Three listed people (ordered Aoki, Baba, Chiba), one who withdrew and one whose certificate expired."""

    def person(name, *, listed=True, **profile):
        user = make_user(Role.TRAINEE, name_latin=name, email=f"{name.lower()}@example.org")
        certify(user)
        make_profile(user, consented=listed, **profile)
        return user

    script = 'Tokyo <script>alert("x")</script><img src=x onerror="alert(1)">'
    return {
        "aoki": person("Aoki", prefectures=("13", "14"), specialties=("patents", "licensing"), phone="03-1111-2222",
                       bio_md=script, bio_html=render(script).html),
        "baba": person("Baba", prefectures=("27",), specialties=("trademarks",), languages=("ja", "en"),
                       on_site=False),
        "chiba": person("Chiba", prefectures=("01",), company_types=("startup_overseas",)),
        "withdrawn": person("Doi", listed=False),
    }


@pytest.fixture
def partner(make_user):
    return make_user(Role.PARTNER, name_latin="Partner Bank", email="partner@example.org")
