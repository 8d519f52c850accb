"""Roster profiles: what a certified professional publishes about themselves, and their consent to be listed.

Whether a profile is listed is a rule of ``listing.py``: consent given and a valid certificate. The end of the
holder's certified period is kept on the profile (``certified_until``, refreshed whenever one of their
certificates changes) so that a search over the whole roster reads one table and needs no join with certificates;
expiry needs no job, because the search compares ``certified_until`` with the time of the query. For the same
reason the prefectures and terms are also kept on the profile as bit sets (``masks.py``), refreshed before every
flush from the profile's rows, so that every filter combination is a bit test (in the process's search index,
index.py, or in SQL) and what a profile shows needs none of its rows.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from lms.accounts.models import User
from lms.core.db import UTCDateTime, db, utcnow
from lms.core.prefectures import CODES
from lms.roster import masks

#: The taxonomy kinds a profile holds several of, stored in ``roster_profile_terms.kind``.
TERM_KINDS = ("specialties", "company_types", "languages")


class RosterProfile(db.Model):
    __tablename__ = "roster_profiles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    #: The name shown on the roster (defaults to the account's names; at least one of the two).
    display_name_ja: Mapped[str | None] = mapped_column(sa.String(100))
    display_name_latin: Mapped[str | None] = mapped_column(sa.String(100))
    #: Case-folded display name: the roster's stable order is (sort_name, user_id).
    sort_name: Mapped[str] = mapped_column(sa.String(200))
    #: A taxonomy id (``organisations``), and the organisation's own name as the holder writes it.
    organisation: Mapped[str] = mapped_column(sa.String(32), default="other")
    organisation_name: Mapped[str | None] = mapped_column(sa.String(200))
    on_site: Mapped[bool] = mapped_column(default=False)
    #: The short bio as written (Markdown) and as shown (rendered and sanitised when saved).
    bio_md: Mapped[str] = mapped_column(sa.Text, default="")
    bio_html: Mapped[str] = mapped_column(sa.Text, default="")
    #: Shown to partners only, with the account's email.
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    #: When the holder last agreed to be listed; null while they have not (never, or since they opted out).
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The latest ``valid_until`` of the holder's valid certificates (null: none valid). See the module docstring.
    certified_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: Bit sets of the prefectures served and of the terms of each kind (see masks.py); kept in line with the
    #: rows by ``refresh_masks`` before every flush. Search filters read these, never the rows.
    prefecture_mask: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    specialty_mask: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    company_type_mask: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    language_mask: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")

    user: Mapped[User] = relationship(lazy="joined")
    #: The rows are read only by code that changes them or joins on them: what a profile shows comes from the
    #: bit sets (``prefectures``, ``terms``), so listing a page of profiles reads no row of these tables.
    prefecture_rows: Mapped[list[RosterPrefecture]] = relationship(
        cascade="all, delete-orphan", order_by="RosterPrefecture.prefecture_code"
    )
    term_rows: Mapped[list[RosterTerm]] = relationship(
        cascade="all, delete-orphan", order_by="(RosterTerm.kind, RosterTerm.term)"
    )

    __table_args__ = (
        sa.CheckConstraint("display_name_ja IS NOT NULL OR display_name_latin IS NOT NULL", name="has_name"),
        # Consenting profiles in the roster's order with everything the listing rule and the filters read: the
        # process's search index (index.py) is loaded from it, and the exports page through it, without reading a
        # table row (consented_at is in the columns too: SQLite counts an index as covering only then).
        sa.Index(
            "ix_roster_profiles_search", "sort_name", "user_id", "certified_until", "on_site", "prefecture_mask",
            "specialty_mask", "company_type_mask", "language_mask", "consented_at",
            postgresql_where=sa.text("consented_at IS NOT NULL"), sqlite_where=sa.text("consented_at IS NOT NULL"),
        ),
        # The same without the name, for counts in SQL (an export's audited row count): half as wide.
        sa.Index(
            "ix_roster_profiles_count", "certified_until", "on_site", "prefecture_mask", "specialty_mask",
            "company_type_mask", "language_mask", "consented_at",
            postgresql_where=sa.text("consented_at IS NOT NULL"), sqlite_where=sa.text("consented_at IS NOT NULL"),
        ),
    )

    def refresh_masks(self) -> None:
        """Recompute the bit sets from whichever rows this session holds (rows never loaded were not changed)."""
        unloaded = sa.inspect(self).unloaded
        if "prefecture_rows" not in unloaded:
            self.prefecture_mask = masks.prefectures(row.prefecture_code for row in self.prefecture_rows)
        if "term_rows" not in unloaded:
            for kind, column in masks.MASK_COLUMNS.items():
                setattr(self, column, masks.terms(kind, (row.term for row in self.term_rows if row.kind == kind)))

    @property
    def display_name(self) -> str:
        return " / ".join(n for n in (self.display_name_ja, self.display_name_latin) if n)

    @property
    def prefectures(self) -> list[str]:
        """The prefectures served, in JIS order (from the bit set, as of the last flush)."""
        return masks.prefecture_codes(self.prefecture_mask or 0)

    def terms(self, kind: str) -> list[str]:
        """The terms of ``kind``, in the taxonomy's order (from the bit set, as of the last flush)."""
        return masks.term_ids(kind, getattr(self, masks.MASK_COLUMNS[kind]) or 0)


class RosterSearchVersion(db.Model):
    """One row: a random number replaced by every committed change to what roster search reads (see index.py)."""

    __tablename__ = "roster_search_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(sa.BigInteger)

    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)


class RosterPrefecture(db.Model):
    """A prefecture the professional serves (JIS X 0401 code)."""

    __tablename__ = "roster_profile_prefectures"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("roster_profiles.user_id", ondelete="CASCADE"), primary_key=True
    )
    prefecture_code: Mapped[str] = mapped_column(sa.String(2), primary_key=True)

    __table_args__ = (
        sa.CheckConstraint(
            "prefecture_code IN ({})".format(", ".join(f"'{c}'" for c in CODES)), name="prefecture_code"
        ),
        sa.Index("ix_roster_profile_prefectures_code", "prefecture_code", "user_id"),
    )


class RosterTerm(db.Model):
    """One taxonomy term of a profile: a specialty, a company type supported or a language."""

    __tablename__ = "roster_profile_terms"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("roster_profiles.user_id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    #: A taxonomy id of ``kind`` (checked by the operations against taxonomy.yml, which may grow).
    term: Mapped[str] = mapped_column(sa.String(32), primary_key=True)

    __table_args__ = (
        sa.CheckConstraint("kind IN ({})".format(", ".join(f"'{k}'" for k in TERM_KINDS)), name="kind"),
        sa.Index("ix_roster_profile_terms_term", "kind", "term", "user_id"),
    )


@sa.event.listens_for(Session, "before_flush")
def _refresh_masks(session: Session, _context: object, _instances: object) -> None:
    """Keep every new or changed profile's bit sets in line with its rows, whoever wrote them."""
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, RosterProfile):
            obj.refresh_masks()
