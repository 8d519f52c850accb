"""The SME matching form: an SME's prefecture and needs, read from the query string so results can be shared.

Values are taxonomy ids and JIS codes (the same parameters as the roster search: ``prefecture``, ``specialty``
repeated, ``company_type``, ``on_site``). An unknown value is refused with a message naming it, never dropped:
a shared link that silently matched on less than it says would mislead the reader.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, SelectField, SelectMultipleField
from wtforms.validators import InputRequired, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from lms.core.i18n import pick
from lms.core.prefectures import BY_CODE
from lms.core.prefectures import choices as prefecture_choices
from lms.roster import search
from lms.roster.matching import Need
from lms.roster.taxonomy import taxonomy


def _one_value(field: Field) -> None:
    """A single-choice field given twice (a hand-edited link) is refused: matching on the first would mislead."""
    if len({value for value in field.raw_data or () if value}) > 1:
        raise ValidationError(_("Choose one value only."))


class _Needs(SelectMultipleField):
    """Several values, repeated (``specialty=a&specialty=b``) or comma-separated, as the roster search takes them."""

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(search.split(valuelist))
        self.data = list(dict.fromkeys(self.data or ()))


class MatchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing: results are meant to be bookmarked and shared

    prefecture = SelectField(
        _l("The SME's prefecture"), validate_choice=False,
        validators=[InputRequired(message=_l("Choose the SME's prefecture: professionals who serve it rank first."))],
    )
    specialty = _Needs(
        _l("Needs"), validate_choice=False, widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
        description=_l("Choose any number; professionals covering more of them rank higher."),
    )
    company_type = SelectField(_l("Company type"), validate_choice=False)
    on_site = BooleanField(_l("An on-site visit is wanted"), false_values=(*search.FALSE, ""),
                           render_kw={"value": "true"})

    def __init__(self, locale: str, formdata: Mapping[str, object] | None = None) -> None:
        super().__init__(formdata=formdata)
        self.prefecture.choices = prefecture_choices(locale)
        self.specialty.choices = [(t.id, pick(t.name, locale)) for t in taxonomy().specialties]
        self.company_type.choices = [("", _("Any")), *((t.id, pick(t.name, locale)) for t in taxonomy().company_types)]

    def validate_prefecture(self, field: Field) -> None:
        _one_value(field)
        if field.data and field.data not in BY_CODE:
            raise ValidationError(_("Unknown prefecture code: %(value)s. Use JIS codes 01 to 47.",
                                    value=field.data[:20]))

    def validate_specialty(self, field: Field) -> None:
        if bad := search.unknown(field.data or [], taxonomy().ids("specialties")):
            raise ValidationError(_("Unknown need: %(value)s.", value=bad))

    def validate_company_type(self, field: Field) -> None:
        _one_value(field)
        if field.data and field.data not in taxonomy().ids("company_types"):
            raise ValidationError(_("Unknown company type: %(value)s.", value=field.data[:50]))

    def validate_on_site(self, field: Field) -> None:
        if field.raw_data and field.raw_data[-1].lower() not in search.TRUE | search.FALSE | {""}:
            raise ValidationError(_("On-site visit must be true or false."))

    def need(self) -> Need:
        """The validated need (call after ``validate()`` succeeded)."""
        return Need(
            prefecture=self.prefecture.data,
            specialties=frozenset(self.specialty.data or ()),
            company_type=self.company_type.data or None,
            on_site=bool(self.on_site.raw_data) and self.on_site.raw_data[-1].lower() in search.TRUE,
        )
