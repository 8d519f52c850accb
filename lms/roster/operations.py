"""Roster writes: the holder's profile, consent (opt in) and withdrawal (opt out), and the public contact message.

Every function validates, writes to ``db.session`` and adds an audit entry; none commits (the caller does).
Refusals raise :class:`RosterError` with a translated message, an HTTP status and, for form input, the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.core import audit, mail
from lms.core.db import db, utcnow
from lms.core.markdown import render
from lms.core.prefectures import BY_CODE
from lms.roster import listing
from lms.roster.models import RosterPrefecture, RosterProfile, RosterTerm
from lms.roster.taxonomy import taxonomy

BIO_MAX_LENGTH = 2000
#: Digits, spaces, hyphens and brackets with an optional leading +; 9 to 15 digits (E.164 allows 15).
PHONE_PATTERN = re.compile(r"^\+?[0-9 ()\-]+$")
PHONE_DIGITS = (9, 15)


class RosterError(Exception):
    """A refused roster action: a translated message, an HTTP status, and the form field it concerns if any."""

    def __init__(self, message: str, status: int = 409, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


@dataclass(frozen=True)
class ProfileData:
    """What the holder writes in the profile editor (already parsed by the form)."""

    display_name_ja: str | None
    display_name_latin: str | None
    prefectures: tuple[str, ...]
    specialties: tuple[str, ...]
    company_types: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    organisation: str = "other"
    organisation_name: str | None = None
    on_site: bool = False
    bio_md: str = ""
    phone: str | None = None


def has_valid_certificate(user_id: int) -> bool:
    return listing.certified_until(user_id) is not None


def profile_of(user_id: int) -> RosterProfile | None:
    return db.session.get(RosterProfile, user_id)


def listed_profile(user_id: int) -> RosterProfile | None:
    """The profile of ``user_id`` if it is on the roster now (the rule of ``listing.listed``, asked of one row)."""
    return db.session.scalar(
        db.select(RosterProfile).where(RosterProfile.user_id == user_id, listing.listed(utcnow()))
    )


def data_of(profile: RosterProfile) -> ProfileData:
    """A stored profile as editor input (to start the form from)."""
    return ProfileData(
        display_name_ja=profile.display_name_ja, display_name_latin=profile.display_name_latin,
        prefectures=tuple(profile.prefectures), specialties=tuple(profile.terms("specialties")),
        company_types=tuple(profile.terms("company_types")), languages=tuple(profile.terms("languages")),
        organisation=profile.organisation, organisation_name=profile.organisation_name, on_site=profile.on_site,
        bio_md=profile.bio_md, phone=profile.phone,
    )


def defaults_for(user: User) -> ProfileData:
    """A new profile's starting values: the account's names and prefecture."""
    return ProfileData(
        display_name_ja=user.name_ja, display_name_latin=user.name_latin,
        prefectures=(user.prefecture_code,) if user.prefecture_code else (), specialties=(), languages=("ja",),
        organisation_name=user.organisation,
    )


def normalise_phone(phone: str | None) -> str | None:
    """The phone number as written, trimmed; ``RosterError`` (422) unless it looks like a phone number."""
    phone = " ".join((phone or "").split())
    if not phone:
        return None
    digits = sum(c.isdigit() for c in phone)
    if not PHONE_PATTERN.match(phone) or not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1] or len(phone) > 30:
        raise RosterError(
            _("Enter a phone number of 9 to 15 digits, e.g. 03-1234-5678 or +81 3 1234 5678."), 422, "phone"
        )
    return phone


def _check_terms(kind: str, values: Iterable[str], field_name: str) -> tuple[str, ...]:
    known = set(taxonomy().ids(kind))
    values = tuple(dict.fromkeys(values))
    if unknown := [v for v in values if v not in known]:
        raise RosterError(_("Unknown value: %(value)s.", value=", ".join(unknown[:5])), 422, field_name)
    return values


def save_profile(user: User, data: ProfileData, *, actor_id: int) -> RosterProfile:
    """Create or update the holder's profile. Only holders of a valid certificate may keep one.

    The bio is rendered from Markdown and sanitised here, once; pages show the stored HTML.
    """
    certified_until = listing.certified_until(user.id)
    if certified_until is None:
        raise RosterError(_("Only holders of a valid certificate can keep a roster profile."), 409)
    name_ja = (data.display_name_ja or "").strip() or None
    name_latin = (data.display_name_latin or "").strip() or None
    if not (name_ja or name_latin):
        raise RosterError(_("Give your name in Japanese or Latin script (or both)."), 422, "display_name_ja")
    prefectures = tuple(dict.fromkeys(data.prefectures))
    if unknown := [code for code in prefectures if code not in BY_CODE]:
        raise RosterError(_("Unknown prefecture code: %(value)s.", value=", ".join(unknown[:5])), 422, "prefectures")
    if not prefectures:
        raise RosterError(_("Choose at least one prefecture you serve."), 422, "prefectures")
    specialties = _check_terms("specialties", data.specialties, "specialties")
    if not specialties:
        raise RosterError(_("Choose at least one specialty."), 422, "specialties")
    company_types = _check_terms("company_types", data.company_types, "company_types")
    languages = _check_terms("languages", data.languages, "languages")
    if data.organisation not in taxonomy().ids("organisations"):
        raise RosterError(_("Choose an organisation from the list."), 422, "organisation")
    bio_md = (data.bio_md or "").strip()
    if len(bio_md) > BIO_MAX_LENGTH:
        raise RosterError(_("The bio may be at most %(n)d characters.", n=BIO_MAX_LENGTH), 422, "bio_md")
    phone = normalise_phone(data.phone)

    profile = profile_of(user.id)
    created = profile is None
    if profile is None:
        profile = RosterProfile(user_id=user.id)
        db.session.add(profile)
    profile.display_name_ja, profile.display_name_latin = name_ja, name_latin
    profile.sort_name = sort_name(name_ja, name_latin)
    profile.organisation = data.organisation
    profile.organisation_name = (data.organisation_name or "").strip() or None
    profile.on_site = data.on_site
    profile.bio_md = bio_md
    profile.bio_html = render(bio_md).html if bio_md else ""
    profile.phone = phone
    _replace_rows(profile, prefectures, {"specialties": specialties, "company_types": company_types,
                                         "languages": languages})
    profile.certified_until = certified_until
    db.session.flush()
    audit.record("roster.profile_create" if created else "roster.profile_update", "roster_profile", user.id,
                 actor_id=actor_id, prefectures=list(prefectures), specialties=list(specialties))
    return profile


def sort_name(name_ja: str | None, name_latin: str | None) -> str:
    """The roster's sort key: the Latin name when there is one (so lists read A to Z), else the Japanese name."""
    return (name_latin or name_ja or "").casefold()


def _replace_rows(profile: RosterProfile, prefectures: tuple[str, ...], terms: dict[str, tuple[str, ...]]) -> None:
    """Bring the prefecture and term rows in line, keeping rows that stay (no delete-and-insert of the same key)."""
    keep = [row for row in profile.prefecture_rows if row.prefecture_code in prefectures]
    have = {row.prefecture_code for row in keep}
    profile.prefecture_rows = keep + [RosterPrefecture(prefecture_code=c) for c in prefectures if c not in have]
    wanted = {(kind, term) for kind, values in terms.items() for term in values}
    kept_terms = [row for row in profile.term_rows if (row.kind, row.term) in wanted]
    have_terms = {(row.kind, row.term) for row in kept_terms}
    profile.term_rows = kept_terms + [
        RosterTerm(kind=kind, term=term) for kind, values in terms.items() for term in values
        if (kind, term) not in have_terms
    ]


def opt_in(user: User, *, agreed: bool) -> RosterProfile:
    """Record the holder's consent to be listed (now). Needs a valid certificate and a complete profile."""
    certified_until = listing.certified_until(user.id)
    if certified_until is None:
        raise RosterError(_("Only holders of a valid certificate can join the roster."), 409)
    profile = profile_of(user.id)
    if profile is None or not profile.prefectures or not profile.terms("specialties"):
        raise RosterError(
            _("Fill in your profile first: at least one prefecture and one specialty are needed."), 422
        )
    if not agreed:
        raise RosterError(_("Tick the box to agree to be listed."), 422, "agree")
    if profile.consented_at is not None:
        raise RosterError(_("You are already on the roster."), 409)
    profile.consented_at = utcnow()
    profile.withdrawn_at = None
    profile.certified_until = certified_until
    db.session.flush()
    audit.record("roster.opt_in", "roster_profile", user.id, actor_id=user.id)
    return profile


def opt_out(user: User) -> RosterProfile:
    """Withdraw consent: the holder leaves the roster at once (the profile is kept for a later opt-in)."""
    profile = profile_of(user.id)
    if profile is None or profile.consented_at is None:
        raise RosterError(_("You are not on the roster."), 409)
    profile.consented_at = None
    profile.withdrawn_at = utcnow()
    db.session.flush()
    audit.record("roster.opt_out", "roster_profile", user.id, actor_id=user.id)
    return profile


@dataclass(frozen=True)
class ContactMessage:
    sender_name: str
    sender_email: str
    message: str


def send_contact(profile: RosterProfile, contact: ContactMessage) -> None:
    """Mail a visitor's message to a listed professional, with Reply-To set to the visitor's address.

    The professional's address is never shown to the visitor; they choose whether to answer. The message is
    written in the professional's language. Nothing is stored (no audit entry holds the visitor's address).
    """
    if listed_profile(profile.user_id) is None:
        raise RosterError(_("This person is not on the roster."), 404)
    recipient = profile.user
    with force_locale(recipient.locale or "ja"):
        subject = _("A message through the IP Management Support Network roster")
        intro = _("%(name)s <%(email)s> sent you this message through your roster profile. "
                  "Reply to this email to answer them; your address was not shown to them.",
                  name=contact.sender_name, email=contact.sender_email)
        footer = _("You receive this because you are listed on the roster. You can leave it at any time from "
                   "your roster profile.")
    mail.send(recipient.email, subject, f"{intro}\n\n{contact.message}\n\n-- \n{footer}\n",
              reply_to=contact.sender_email)
