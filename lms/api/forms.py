"""The form for a new personal API token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(message=_l("Give the token a name.")), Length(max=100)],
        description=_l("What the token is for, e.g. “CRM sync”, so you can tell your tokens apart."),
    )
