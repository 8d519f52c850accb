"""``lms reports refresh``: take the reports' snapshot again (run it from cron, e.g. every 10 minutes)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from lms.core.db import db, utcnow
from lms.reports import operations


@click.group()
def reports() -> None:
    """Reports: the pipeline, regional coverage, course completion and pass rates."""


@reports.command("refresh")
@with_appcontext
def refresh() -> None:
    """Recompute every trainee's stages from the current data (a few seconds on a large database)."""
    row, took = operations.refresh(utcnow())
    db.session.commit()
    taken = f"at {row.refreshed_at.isoformat(timespec='seconds')} in {row.seconds:.1f} s"
    click.echo(f"reports refreshed {taken}" if took else f"a refresh already running took the snapshot {taken}")
