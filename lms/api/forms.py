"""The form for a new personal API token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

#: How long a new token may work, in days ("never": until revoked).
LIFETIMES = (SelectChoice("30", _l("30 days")), SelectChoice("90", _l("90 days")), SelectChoice("365", _l("One year")),
             SelectChoice("never", _l("No expiry")))


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(message=_l("Give the token a name.")), Length(max=100)],
        description=_l("What the token is for, e.g. “CRM sync”, so you can tell your tokens apart."),
    )
    lifetime = SelectField(
        _l("Expires after"), choices=list(LIFETIMES), default="90",
        description=_l("A token that expires stops working by itself; you can revoke any token at any time."),
    )

    def days(self) -> int | None:
        return None if self.lifetime.data == "never" else int(self.lifetime.data)
