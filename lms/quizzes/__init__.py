"""Question banks, quizzes graded on the server, item statistics, and Moodle GIFT import."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from lms.core import content, navigation
from lms.core.access import Permission
from lms.core.navigation import NavItem


def init_app(app: Flask) -> None:
    from lms.quizzes import cli, views
    from lms.quizzes.sync import AssessmentsSource

    app.register_blueprint(views.bp)
    # Registered after the curriculum's "courses" source: a quiz is checked against its course.
    content.register(app, AssessmentsSource())
    navigation.add(app, NavItem("quizzes.manage", _l("Quiz results"), permission=Permission.QUIZ_RESULTS, order=40))
    app.cli.add_command(cli.assessments)
