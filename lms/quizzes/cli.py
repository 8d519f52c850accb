"""``lms assessments import-gift`` and ``lms assessments close-expired``."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.core.content import Problems
from lms.core.db import db
from lms.quizzes import files, gift, operations

MAX_GIFT_BYTES = 5 * 1024 * 1024


@click.group()
def assessments() -> None:
    """Question banks and quizzes."""


@assessments.command("import-gift")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bank", "bank", required=True, help="The bank id to write (assessments/banks/BANK.yml).")
@click.option("--title", default=None, help="The bank's title (default: the bank id).")
@click.option("--lang", type=click.Choice(["en", "ja"]), default=None,
              help="Language of the texts (default: Japanese if a text contains Japanese, else English).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write (default: assessments/banks/BANK.yml under the content root).")
@click.option("--force", is_flag=True, help="Replace an existing bank file.")
@with_appcontext
def import_gift(  # noqa: PLR0917 - click passes the options positionally
    file: Path, bank: str, title: str | None, lang: str | None, out: Path | None, force: bool
) -> None:
    """Convert a Moodle GIFT FILE into a question bank in our format, and list what could not be taken."""
    if not files.ID.match(bank):
        raise click.ClickException("--bank must be lower-case ASCII letters, digits and hyphens")
    if file.stat().st_size > MAX_GIFT_BYTES:
        raise click.ClickException(f"{file} is larger than {MAX_GIFT_BYTES:,} bytes")
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{file} is not UTF-8 text") from None
    target = out or Path(current_app.config["LMS_CONTENT_ROOT"]) / "assessments" / "banks" / f"{bank}.yml"
    if target.exists() and not force:
        raise click.ClickException(f"{target} exists; pass --force to replace it")
    result = gift.parse(text, bank=bank, lang=lang, source_note=f"Moodle GIFT import: {file.name}")
    for issue in result.errors:
        click.echo(f"{file}:{issue.line}: {issue.message}", err=True)
    for issue in result.skipped:
        click.echo(f"{file}:{issue.line}: {issue.message}" + (f" [{issue.title}]" if issue.title else ""), err=True)
    for issue in result.notes:
        click.echo(f"{file}:{issue.line}: note: {issue.message} [{issue.title}]", err=True)
    if result.errors:
        click.echo(f"{len(result.errors)} syntax error(s); nothing was written.", err=True)
        raise SystemExit(1)
    if not result.questions:
        click.echo("no question could be imported; nothing was written.", err=True)
        raise SystemExit(1)
    document = gift.to_yaml(bank, title or bank, result.questions)
    # Prove the output is a valid bank before writing it (an import never writes a bank sync would refuse).
    check = files.Assessments()
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / f"{bank}.yml"
        probe.write_text(document, encoding="utf-8")
        problems = Problems(Path(tmp))
        files.parse_bank(probe, problems, check)
    if problems:
        for problem in problems:
            click.echo(f"cannot write a valid bank: {problem}", err=True)
        raise SystemExit(1)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(document, encoding="utf-8")
    temporary.replace(target)
    click.echo(f"wrote {len(result.questions)} question(s) to {target}; skipped {len(result.skipped)}.")


@assessments.command("close-expired")
@with_appcontext
def close_expired() -> None:
    """Grade every open attempt whose deadline has passed, as of its deadline."""
    count = operations.close_all_expired()
    db.session.commit()
    click.echo(f"graded {count} expired attempt(s)")
