"""Regional coverage: rostered professionals per prefecture on a tile map, absolute and per 10,000 SMEs."""

from __future__ import annotations

import csv
import io
import re

import pytest

from lms.core.db import db, utcnow
from lms.core.prefectures import CODES
from lms.reports import coverage


@pytest.fixture
def sme_file(app, tmp_path):
    """A small SME counts file of the test's own (three prefectures), passed to the app through its config."""
    path = tmp_path / "sme_counts.csv"
    path.write_text("# Source: a test file written by the test itself\ncode,name_ja,smes\n"
                    "01,北海道,20000\n13,東京都,40000\n47,沖縄県,5000\n", encoding="utf-8")
    app.config["LMS_SME_COUNTS_PATH"] = str(path)
    yield path
    app.config.pop("LMS_SME_COUNTS_PATH")


def holders(world):
    """Listed: two serve Tokyo (one also Hokkaido), one Osaka. Not listed: no consent; certificate expired."""
    world.trainee(certified=("fnd",), roster=("13", "01"))
    world.trainee(certified=("fnd",), roster=("13",))
    world.trainee(certified=("adv",), roster=("27",))
    world.trainee(certified=("fnd",), roster=("47",), consented=False)
    world.trainee(expired=("fnd",), roster=("47",))
    db.session.commit()


def test_counts_follow_the_rosters_listing(world):
    holders(world)
    assert coverage.professionals_by_prefecture(utcnow()) == {"13": 2, "01": 1, "27": 1}
    assert coverage.listed_count(utcnow()) == 3


def test_per_sme_figures_from_a_file_given_in_the_config(client, login, admin, world, sme_file):
    holders(world)
    login(admin)
    page = client.get("/reports/coverage?view=smes").get_data(as_text=True)
    assert "per-SME view is unavailable" not in page
    # 2 professionals for 40,000 SMEs: 0.5 per 10,000; Hokkaido 1 for 20,000: 0.5; Okinawa a gap (0).
    assert re.search(r"Tokyo</th><td class=\"number\">2</td><td class=\"number\">40,000</td>"
                     r"<td class=\"number\">0.50</td>", page)
    rows = list(csv.reader(io.StringIO(client.get("/reports/coverage.csv").data.decode("utf-8-sig"))))
    by_code = {r[0]: r for r in rows[1:]}
    assert len(by_code) == 47
    assert by_code["13"][2:] == ["2", "40000", "0.500"]
    assert by_code["47"][2:] == ["0", "5000", "0.000"]
    assert by_code["27"][2:] == ["1", "", ""]  # no SME count for Osaka in this file: no figure, none invented


def test_tiles_levels_gaps_and_missing_figures(sme_file):
    smes = coverage.read_sme_counts(sme_file)
    assert smes.available and smes.source == ["Source: a test file written by the test itself"]
    layout = coverage.read_tile_map()
    assert set(layout) == set(CODES) and len(set(layout.values())) == 47
    assert all(0 <= r < 12 and 0 <= c < 13 for r, c in layout.values())
    tiles, top = coverage.tiles({"13": 2, "01": 1, "27": 1}, smes, True, layout)
    by_code = {t.code: t for t in tiles}
    assert top == pytest.approx(0.5)
    assert by_code["13"].level == by_code["01"].level == "level-5"
    assert by_code["47"].level == "gap" and by_code["47"].density == 0
    assert by_code["27"].level == "none" and by_code["27"].density is None
    tiles, top = coverage.tiles({"13": 10, "01": 1}, smes, False, layout)
    by_code = {t.code: t for t in tiles}
    assert top == 10 and by_code["13"].level == "level-5" and by_code["01"].level == "level-1"
    assert sum(t.level == "gap" for t in tiles) == 45


@pytest.mark.parametrize(("text", "problem"), [
    ("# only a source\n", "empty"),
    ("# source\ncode,name_ja,smes\n", "empty"),
    ("code,name,smes\n01,北海道,1\n", "malformed"),
    ("code,name_ja,smes\n48,どこか,1\n", "malformed"),
    ("code,name_ja,smes\n01,北海道,many\n", "malformed"),
    ("code,name_ja,smes\n01,北海道,0\n", "malformed"),
    ("code,name_ja,smes\n01,北海道,1\n01,北海道,2\n", "malformed"),
])
def test_a_file_without_usable_rows_makes_the_view_unavailable(tmp_path, text, problem):
    path = tmp_path / "s.csv"
    path.write_text(text, encoding="utf-8")
    assert coverage.read_sme_counts(path).problem == problem
    assert coverage.read_sme_counts(tmp_path / "nothing.csv").problem == "missing"


def test_a_file_in_another_encoding_is_malformed_not_a_500(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes("code,name_ja,smes\n01,北海道,1\n".encode("shift_jis"))
    assert coverage.read_sme_counts(path).problem == "malformed"


def test_without_sme_rows_the_page_says_why_and_shows_counts(  # noqa: PLR0917 - fixtures
        client, login, admin, world, app, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("# Source: SME Agency, not yet entered\n", encoding="utf-8")
    app.config["LMS_SME_COUNTS_PATH"] = str(path)
    try:
        holders(world)
        login(admin)
        response = client.get("/reports/coverage?view=smes")
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "The per-SME view is unavailable" in page and "Source: SME Agency, not yet entered" in page
        assert "Per 10,000 SMEs (unavailable)" in page
        assert 'class="tile gap"' in page and "No professional (a gap)" in page
        assert page.count('class="tile gap"') == 44
    finally:
        app.config.pop("LMS_SME_COUNTS_PATH")


def test_the_shipped_file_is_read_and_either_complete_or_explained(app):
    smes = coverage.read_sme_counts(coverage.SME_COUNTS)
    assert smes.source, "the file must name its source"
    if smes.available:
        assert set(smes.counts) == set(CODES)
    else:
        assert smes.problem == "empty"


def test_map_is_accessible_and_bilingual(client, login, admin, world):
    holders(world)
    login(admin)
    page = client.get("/reports/coverage").get_data(as_text=True)
    assert 'role="img"' in page and "<title" in page and "The same numbers are in the table below" in page
    assert "style=" not in page and "<script" not in page
    assert "Kagoshima" in page
    client.post("/language", data={"lang": "ja", "next": "/reports/coverage"})
    page = client.get("/reports/coverage").get_data(as_text=True)
    assert "鹿児島" in page and "鹿児島県" in page


@pytest.mark.parametrize(("query", "status"), [("view=map", 400), ("view=1", 400), ("view=", 200)])
def test_an_unknown_view_is_a_400(client, login, admin, query, status):
    login(admin)
    assert client.get(f"/reports/coverage?{query}").status_code == status


@pytest.mark.parametrize("top", [0, 1, 2, 3, 7, 50, 51, 137, 1000])
def test_count_legend_lists_whole_numbers_each_colour_holds(top):
    steps = coverage.count_legend(top)
    # Every count from 1 to the top is in exactly the step of the colour its tile gets, and no step is empty.
    assert [n for _cls, low, high in steps for n in range(low, high + 1)] == list(range(1, top + 1))
    for cls, low, high in steps:
        assert low <= high
        assert {coverage.level(n, top) for n in (low, high)} == {cls}


def test_a_small_roster_gets_a_legend_without_empty_steps():
    assert coverage.count_legend(2) == [("level-3", 1, 1), ("level-5", 2, 2)]
