"""Search counts and pages: deactivated accounts are not counted, and pages read from either end agree."""

from __future__ import annotations

from lms.core.access import Role
from lms.core.db import db
from lms.roster.search import Filters, Paging, search


def test_every_page_size_walks_the_same_order_and_counts_only_active_accounts(
        app, make_user, make_profile, certify):
    names = ["Abe", "Baba", "Chiba", "Doi", "Endo", "Fujii", "Goto", "Hara", "Ito"]
    users = {}
    for name in names:
        users[name] = make_user(Role.TRAINEE, name_latin=name)
        certify(users[name])
        make_profile(users[name], prefectures=("13",) if name != "Ito" else ("01",))
    users["Doi"].active = False
    db.session.commit()
    expected = [users[n].id for n in names if n != "Doi"]
    with app.test_request_context():
        for per_page in range(1, 10):
            first = search(Filters(), Paging(1, per_page))
            assert first.total == 8
            walked = [p.user_id for page in range(1, first.pages + 1)
                      for p in search(Filters(), Paging(page, per_page)).items]
            assert walked == expected, per_page
        tokyo = search(Filters(prefectures=("13",)), Paging(2, 3))
        assert tokyo.total == 7 and [p.user_id for p in tokyo.items] == expected[3:6]
