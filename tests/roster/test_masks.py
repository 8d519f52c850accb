"""The search bit sets: positions never move, and every writer keeps them in line with the rows."""

from __future__ import annotations

from lms.core.access import Role
from lms.core.db import db
from lms.roster import masks
from lms.roster.models import RosterPrefecture, RosterProfile
from lms.roster.taxonomy import taxonomy

#: The lists as they were when the masks were introduced (migration 0010). New terms may only be appended:
#: a term's position is its bit in every stored profile.
FROZEN = {
    "specialties": ("patents", "utility_models", "designs", "trademarks", "trade_secrets", "licensing",
                    "ip_landscape", "valuation_financing", "overseas_filing", "regional_brands",
                    "copyright_software", "open_close", "ip_due_diligence", "enforcement", "intangibles_disclosure"),
    "company_types": ("rd", "startup_overseas", "ip_financing", "regional_brand", "other"),
    "languages": ("ja", "en", "zh", "ko", "vi"),
}


def test_term_positions_only_ever_grow_at_the_end():
    for kind, frozen in FROZEN.items():
        ids = taxonomy().ids(kind)
        assert ids[:len(frozen)] == frozen, f"{kind}: terms were reordered or removed; append new ones instead"
        assert len(ids) <= masks.MAX_BITS


def test_bits():
    assert masks.prefectures(["01"]) == 1 and masks.prefectures(["47"]) == 1 << 46
    assert masks.prefectures(["13", "13", "14"]) == (1 << 12) | (1 << 13)
    assert masks.terms("languages", ["ja", "vi"]) == 1 | (1 << 4)


def test_profiles_keep_their_masks_in_line_with_their_rows(app, make_user, make_profile, certify):
    user = make_user(Role.TRAINEE)
    certify(user)
    profile = make_profile(user, prefectures=("01", "47"), specialties=("designs",), languages=("ja", "en"))
    assert profile.prefecture_mask == 1 | (1 << 46)
    assert profile.specialty_mask == 1 << 2 and profile.language_mask == 0b11
    profile.prefecture_rows = [RosterPrefecture(prefecture_code="13")]
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(RosterProfile, user.id).prefecture_mask == 1 << 12
