"""Roster forms: the holder's profile, consent, and the public contact form. Rules needing the DB are in operations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, SelectMultipleField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from lms.core.i18n import pick
from lms.core.prefectures import PREFECTURES, name
from lms.roster.operations import BIO_MAX_LENGTH, ProfileData
from lms.roster.taxonomy import taxonomy

CONTACT_MAX_LENGTH = 5000


class ProfileForm(FlaskForm):
    display_name_ja = StringField(_l("Name in Japanese script"), validators=[Optional(), Length(max=100)])
    display_name_latin = StringField(_l("Name in Latin script"), validators=[Optional(), Length(max=100)])
    prefectures = SelectMultipleField(
        _l("Prefectures you serve"), validators=[DataRequired(message=_l("Choose at least one prefecture you serve."))]
    )
    specialties = SelectMultipleField(
        _l("Specialties"), validators=[DataRequired(message=_l("Choose at least one specialty."))]
    )
    company_types = SelectMultipleField(_l("Kinds of companies you support"))
    languages = SelectMultipleField(_l("Languages"))
    organisation = SelectField(_l("Organisation"))
    organisation_name = StringField(
        _l("Name of your organisation"), validators=[Optional(), Length(max=200)],
        description=_l("As you would like it shown, e.g. the name of your firm or support centre."),
    )
    on_site = BooleanField(_l("I can visit companies on site"))
    bio_md = TextAreaField(
        _l("Short bio"), validators=[Optional(), Length(max=BIO_MAX_LENGTH)],
        description=_l("Markdown; at most %(n)d characters. Links and emphasis are kept; scripts and raw HTML "
                       "are removed.", n=BIO_MAX_LENGTH),
    )
    phone = TelField(
        _l("Phone"), validators=[Optional(), Length(max=30)],
        description=_l("Shown to network partners only, e.g. 03-1234-5678 or +81 3 1234 5678."),
    )

    def __init__(self, locale: str, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.prefectures.choices = [(p.code, name(p.code, locale)) for p in PREFECTURES]
        for kind in ("specialties", "company_types", "languages", "organisations"):
            field = self.organisation if kind == "organisations" else getattr(self, kind)
            field.choices = [(t.id, pick(t.name, locale)) for t in taxonomy().terms(kind)]

    def fill(self, data: ProfileData) -> None:
        """Start the form from a profile's (or the account's) values."""
        for key in ("display_name_ja", "display_name_latin", "organisation", "organisation_name", "on_site",
                    "bio_md", "phone"):
            getattr(self, key).data = getattr(data, key)
        for key in ("prefectures", "specialties", "company_types", "languages"):
            getattr(self, key).data = list(getattr(data, key))

    def to_data(self) -> ProfileData:
        return ProfileData(
            display_name_ja=self.display_name_ja.data, display_name_latin=self.display_name_latin.data,
            prefectures=tuple(self.prefectures.data or ()), specialties=tuple(self.specialties.data or ()),
            company_types=tuple(self.company_types.data or ()), languages=tuple(self.languages.data or ()),
            organisation=self.organisation.data or "other", organisation_name=self.organisation_name.data,
            on_site=bool(self.on_site.data), bio_md=self.bio_md.data or "", phone=self.phone.data,
        )


class ConsentForm(FlaskForm):
    agree = BooleanField(_l("I agree to be listed on the roster as described above."))


class WithdrawForm(FlaskForm):
    """No fields: the button and the CSRF token."""


class ContactForm(FlaskForm):
    sender_name = StringField(_l("Your name"), validators=[DataRequired(message=_l("Enter your name.")),
                                                           Length(max=100)])
    sender_email = EmailField(
        _l("Your email"),
        validators=[DataRequired(message=_l("Enter your email address.")),
                    Email(message=_l("Enter a valid email address.")), Length(max=254)],
        description=_l("The professional will answer to this address."),
    )
    message = TextAreaField(
        _l("Message"),
        validators=[DataRequired(message=_l("Write a message.")), Length(min=10, max=CONTACT_MAX_LENGTH)],
        description=_l("Say briefly what your company does and what help you need (at most %(n)d characters).",
                       n=CONTACT_MAX_LENGTH),
    )
