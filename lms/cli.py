"""The ``lms`` command: Flask's CLI bound to this app, plus each feature's commands."""

from __future__ import annotations

from flask.cli import FlaskGroup

from lms import create_app

cli = FlaskGroup(create_app=create_app, help="The IP Management Support Network LMS.")


def main() -> None:
    cli.main(prog_name="lms")


if __name__ == "__main__":
    main()
