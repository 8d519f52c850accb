import sqlalchemy as sa

from lms.accounts.models import User
from lms.core.db import db
from lms.curriculum import operations
from lms.curriculum.models import LessonVersion
from tests.access_map import Route, only, public, signed_in
from tests.curriculum import helpers

AUTHORS = ("instructor", "administrator")
STUDY = ("trainee", "instructor", "administrator")


def _world(world):
    """Sync the sample course once per walk; the walk's instructor owns it; every studying role is enrolled."""
    if "course" not in world:
        helpers.sync()
        course = helpers.course()
        for role in STUDY:
            user = db.session.get(User, world[role].id)
            operations.enrol(user, course, actor_id=user.id)
        db.session.commit()
        world["course"] = course
        world["version_id"] = db.session.scalar(
            sa.select(LessonVersion.id).where(LessonVersion.lesson_id == helpers.lesson("01-first-steps").id)
        )
    return world


def course_args(world):
    _world(world)
    return {"slug": "sample"}


def lesson_args(world):
    _world(world)
    return {"slug": "sample", "key": "01-first-steps"}


def version_args(world):
    _world(world)
    return {"slug": "sample", "key": "01-first-steps", "version_id": world["version_id"]}


ROUTES: dict[str, Route] = {
    "curriculum.catalogue": public(),
    "curriculum.search": public(),
    "curriculum.course": public(args=course_args, missing={"slug": "no-such-course"}),
    "curriculum.enrol": only(*STUDY, methods=("POST",), args=course_args, missing={"slug": "no-such-course"}),
    "curriculum.lesson": only(*STUDY, args=lesson_args, missing={"slug": "sample", "key": "99-none"}),
    "curriculum.complete": only(
        *STUDY, methods=("POST",), args=lesson_args, missing={"slug": "sample", "key": "99-none"}
    ),
    "curriculum.my_learning": signed_in(),
    "curriculum.enrolments": only(*AUTHORS, args=course_args, missing={"slug": "no-such-course"}),
    "curriculum.cohorts": only(*AUTHORS),
    "curriculum.edit": only(*AUTHORS, args=lesson_args, missing={"slug": "sample", "key": "99-none"}),
    "curriculum.preview": only(
        *AUTHORS, methods=("POST",), args=lesson_args, missing={"slug": "sample", "key": "99-none"}
    ),
    "curriculum.history": only(*AUTHORS, args=lesson_args, missing={"slug": "sample", "key": "99-none"}),
    "curriculum.version": only(
        *AUTHORS, args=version_args, missing={"slug": "sample", "key": "01-first-steps", "version_id": 999_999}
    ),
    "curriculum.restore": only(
        *AUTHORS, methods=("POST",), args=version_args,
        missing={"slug": "sample", "key": "01-first-steps", "version_id": 999_999},
    ),
    "curriculum.export": only(*AUTHORS, args=course_args, missing={"slug": "no-such-course"}),
}
