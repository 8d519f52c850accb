"""Account forms. Field-level checks live here; rules that need the database live in operations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from lms.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from lms.core.access import Role
from lms.core.prefectures import choices as prefecture_choices

_email = [DataRequired(), Email(message=_l("Enter a valid email address.")), Length(max=254)]


class RegistrationForm(FlaskForm):
    email = EmailField(_l("Email"), validators=_email)
    name_ja = StringField(_l("Name in Japanese script"), validators=[Optional(), Length(max=100)])
    name_latin = StringField(_l("Name in Latin script"), validators=[Optional(), Length(max=100)])
    prefecture_code = SelectField(_l("Prefecture"), validators=[DataRequired(message=_l("Choose a prefecture."))])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        description=_l("At least %(n)d characters; not a common password.", n=MIN_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat the password"), validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))]
    )

    def __init__(self, locale: str, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.prefecture_code.choices = [SelectChoice(code, label) for code, label in prefecture_choices(locale)]


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=_email)
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email"), validators=_email)


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


ROLE_LABELS = {
    Role.TRAINEE: _l("Trainee"),
    Role.INSTRUCTOR: _l("Instructor"),
    Role.PARTNER: _l("Partner"),
    Role.ADMINISTRATOR: _l("Administrator"),
}


class RoleChangeForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()])
    action = SelectField(_l("Change"), choices=[SelectChoice("add", _l("Grant")), SelectChoice("remove", _l("Remove"))])
    reason = TextAreaField(
        _l("Reason (kept in the audit log)"), validators=[DataRequired(message=_l("Give a reason.")), Length(max=1000)]
    )
