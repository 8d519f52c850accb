"""``lms practicum prune-files``: remove stored attachment bytes that no attachment row refers to any more.

Bytes are written before the transaction that records them commits (a row must never point at a missing file),
so a failed transaction, or an unsubmitted attachment taken out of a report, leaves an unreferenced file. Files
younger than ``--older-than`` hours are kept: their upload may still be committing.
"""

from __future__ import annotations

import time
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from lms.core.db import db
from lms.practicum.files import stored_files
from lms.practicum.models import Attachment

practicum_cli = AppGroup("practicum", help="Practicum maintenance.")


def unreferenced_files(storage_dir: Path, older_than_seconds: float, now: float | None = None) -> list[Path]:
    referenced = set(db.session.scalars(sa.select(Attachment.sha256).distinct()))
    cutoff = (now or time.time()) - older_than_seconds
    return sorted(path for path in stored_files(storage_dir)
                  if path.name not in referenced and path.stat().st_mtime < cutoff)


@practicum_cli.command("prune-files")
@click.option("--older-than", "hours", default=24.0, show_default=True, help="Keep files younger than this (hours).")
@click.option("--dry-run", is_flag=True, help="List what would be removed.")
def prune_files(hours: float, dry_run: bool) -> None:
    """Remove stored attachment files that no attachment refers to."""
    if hours < 1:
        raise click.BadParameter("must be at least 1 hour, so uploads still committing are safe",
                                 param_hint="--older-than")
    found = unreferenced_files(Path(current_app.config["LMS_STORAGE_DIR"]), hours * 3600)
    for path in found:
        click.echo(("would remove " if dry_run else "removed ") + path.name)
        if not dry_run:
            path.unlink(missing_ok=True)
    click.echo(f"{len(found)} unreferenced file(s)" + (" found" if dry_run else " removed"))
