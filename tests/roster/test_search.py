"""Roster search: filters, bad parameters, paging and the stable order, on the real database."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from lms.core.access import Role
from lms.roster.search import Filters, PageOutOfRange, Paging, SearchError, parse_filters, parse_paging, search


@pytest.fixture
def people(make_user, make_profile, certify):
    def person(name, **profile):
        user = make_user(Role.TRAINEE, name_latin=name)
        certify(user)
        make_profile(user, **profile)
        return user.id

    return {
        "aoki": person("Aoki", prefectures=("13", "14"), specialties=("patents", "licensing"), on_site=True),
        "baba": person("Baba", prefectures=("27",), specialties=("trademarks",), languages=("ja", "en"),
                       on_site=False),
        "chiba": person("Chiba", prefectures=("01",), specialties=("patents",), company_types=("startup_overseas",)),
    }


def ids(filters: Filters) -> list[int]:
    return [p.user_id for p in search(filters).items]


def test_each_filter_narrows_and_values_within_one_filter_mean_any_of(app, people):
    with app.test_request_context():
        assert ids(Filters()) == [people["aoki"], people["baba"], people["chiba"]]
        assert ids(parse_filters(MultiDict({"prefecture": "14"}))) == [people["aoki"]]
        assert ids(parse_filters(MultiDict([("prefecture", "14"), ("prefecture", "27")]))) == [
            people["aoki"], people["baba"]]
        assert ids(parse_filters(MultiDict({"region": "kinki"}))) == [people["baba"]]
        assert ids(parse_filters(MultiDict({"specialty": "patents", "on_site": "true"}))) == [
            people["aoki"], people["chiba"]]
        assert ids(parse_filters(MultiDict({"specialty": "patents", "region": "hokkaido"}))) == [people["chiba"]]
        assert ids(parse_filters(MultiDict({"language": "en"}))) == [people["baba"]]
        assert ids(parse_filters(MultiDict({"company_type": "startup_overseas"}))) == [people["chiba"]]
        assert ids(parse_filters(MultiDict({"on_site": "false"}))) == [people["baba"]]


@pytest.mark.parametrize(("args", "field"), [
    ({"prefecture": "48"}, "prefecture"),
    ({"prefecture": "13,99"}, "prefecture"),
    ({"region": "atlantis"}, "region"),
    ({"specialty": "alchemy"}, "specialty"),
    ({"company_type": "<script>"}, "company_type"),
    ({"language": "xx"}, "language"),
    ({"on_site": "maybe"}, "on_site"),
])
def test_unknown_filter_values_are_refused_with_the_field_named(app, args, field):
    with app.test_request_context(), pytest.raises(SearchError) as refused:
        parse_filters(MultiDict(args))
    assert refused.value.field == field and refused.value.message


@pytest.mark.parametrize(("args", "field"), [
    ({"page": "0"}, "page"), ({"page": "two"}, "page"), ({"per_page": "0"}, "per_page"),
    ({"per_page": "101"}, "per_page"), ({"per_page": "10000000"}, "per_page"),
])
def test_bad_paging_is_refused(app, args, field):
    with app.test_request_context(), pytest.raises(SearchError) as refused:
        parse_paging(MultiDict(args))
    assert refused.value.field == field


def test_pages_keep_the_stable_order_and_a_page_past_the_last_is_out_of_range(app, people):
    with app.test_request_context():
        first, second = search(Filters(), Paging(1, 2)), search(Filters(), Paging(2, 2))
        assert (first.total, first.pages) == (3, 2)
        assert [p.user_id for p in first.items + second.items] == [people["aoki"], people["baba"], people["chiba"]]
        with pytest.raises(PageOutOfRange):
            search(Filters(), Paging(3, 2))
        assert search(Filters(prefectures=("47",)), Paging(1, 2)).total == 0  # an empty first page exists
