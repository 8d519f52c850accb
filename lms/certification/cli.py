"""``lms certificates remind`` (expiry reminders, safe to run twice) and ``lms certificates rotate-key``."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import gettext as _

from lms.certification import keys, operations
from lms.core import mail
from lms.core.db import db, utcnow

certificates = AppGroup("certificates", help="Certificates: expiry reminders and the issuer's signing key.")


@certificates.command("remind")
def remind() -> None:
    """Mail the 60- and 30-day expiry reminders that are due and not yet sent."""
    today = utcnow().date()
    sent = 0
    base_url = current_app.config.get("LMS_BASE_URL") or os.environ.get("LMS_BASE_URL") or "http://localhost/"
    with current_app.test_request_context(base_url=base_url):
        for certificate, reminder in operations.due_reminders(today):
            user = certificate.user
            with force_locale(user.locale or "ja"):
                subject = _("Your certificate %(serial)s expires in %(days)d days",
                            serial=certificate.serial, days=(certificate.valid_until.date() - today).days)
                body = _(
                    "Your certificate %(serial)s expires on %(date)s. Renew it before then: see the renewal "
                    "requirement of your track at %(url)s",
                    serial=certificate.serial, date=certificate.valid_until.date().isoformat(),
                    url=operations.links(certificate).achievement,
                )
            operations.mark_reminded(certificate, reminder)
            mail.send(user.email, subject, body)
            db.session.commit()  # the reminder is recorded and queued in one transaction: sent exactly once
            sent += 1
    click.echo(f"{sent} reminder(s) sent")


@certificates.command("rotate-key")
@click.option("--retire-private", is_flag=True, help="Keep only the public half of the old keys.")
def rotate_key(retire_private: bool) -> None:
    """Make a new active signing key; older keys stay published so issued credentials still verify."""
    directory = current_app.config.get(keys.ENV_DIRECTORY) or os.environ.get(keys.ENV_DIRECTORY)
    if not directory:
        if current_app.config.get(keys.ENV_KEY) or os.environ.get(keys.ENV_KEY):
            raise click.ClickException(f"{keys.ENV_KEY} is set: rotate by changing it (and set {keys.ENV_DIRECTORY})")
        if current_app.config.get("LMS_ENV") == "production":
            raise click.ClickException(f"set {keys.ENV_DIRECTORY} to rotate keys in production")
        directory = str(Path(current_app.instance_path) / keys.DEV_DIRECTORY)
    key = keys.rotate(directory, retire_private=retire_private)
    click.echo(f"new active key {key.kid} in {directory}")
