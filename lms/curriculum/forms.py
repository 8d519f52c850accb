"""Curriculum forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

MAX_CSV_BYTES = 1024 * 1024


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class CohortForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    starts_on = DateField(_l("Start date"), validators=[DataRequired(message=_l("Give a date."))])
    ends_on = DateField(_l("End date"), validators=[DataRequired(message=_l("Give a date."))])


class BulkEnrolForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(message=_l("Choose a CSV file."))],
        description=_l("A header line with an 'email' column, then one user per line."),
    )
    cohort = SelectField(_l("Cohort"), choices=[], validate_choice=False)


class LessonEditForm(FlaskForm):
    source = TextAreaField(
        _l("Lesson file (front matter and Markdown)"),
        validators=[DataRequired(message=_l("The lesson cannot be empty."))],
    )
