"""Outgoing mail through a transactional outbox.

``send`` adds the message to ``mail_outbox`` in the caller's transaction, so a mail goes out exactly when the change
it reports commits (a password-reset link whose token rolled back is never sent), and no request ever waits for an
SMTP server. ``lms mail deliver`` (run it in a loop beside the app servers) sends what is waiting over one SMTP
connection, retrying failures with a growing delay; several deliverers can run at once on PostgreSQL, as each
takes its rows with ``FOR UPDATE SKIP LOCKED``. Without ``LMS_MAIL_SERVER`` (development and tests) mail is
written to the log at once instead.
"""

from __future__ import annotations

import logging
import smtplib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import UTCDateTime, db, utcnow

log = logging.getLogger("lms.mail")

#: A message that failed this many times is left for an operator (``last_error`` says why).
MAX_ATTEMPTS = 8


class OutgoingMail(db.Model):
    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    reply_to: Mapped[str | None] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column(default=0)
    #: Not before this time (set forward after each failure).
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (
        # Only the waiting messages are indexed: the ones sent stay as a record but are never scanned.
        sa.Index("ix_mail_outbox_waiting", "next_attempt_at",
                 postgresql_where=sa.text("sent_at IS NULL"), sqlite_where=sa.text("sent_at IS NULL")),
    )


def _message(mail: OutgoingMail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["LMS_MAIL_SENDER"]
    message["To"] = mail.recipient
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    return message


def send(to: str, subject: str, body: str, *, reply_to: str | None = None) -> None:
    """Queue a message in the current transaction (or, with no mail server configured, log it now)."""
    mail = OutgoingMail(recipient=to, reply_to=reply_to, subject=subject[:300], body=body)
    if not current_app.config.get("LMS_MAIL_SERVER"):
        log.info("mail (not sent: no LMS_MAIL_SERVER)\n%s", _message(mail).as_string())
        return
    db.session.add(mail)


@dataclass(frozen=True)
class Delivery:
    sent: int
    failed: int


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes after the 1st, 2nd, 3rd ... failure, at most four hours."""
    return timedelta(minutes=min(2 ** (attempts - 1), 240))


def deliver(limit: int = 100, now: datetime | None = None) -> Delivery:
    """Send up to ``limit`` waiting messages over one SMTP connection and record each outcome; commits."""
    now = now or utcnow()
    waiting = list(db.session.scalars(
        sa.select(OutgoingMail)
        .where(OutgoingMail.sent_at.is_(None), OutgoingMail.next_attempt_at <= now,
               OutgoingMail.attempts < MAX_ATTEMPTS)
        .order_by(OutgoingMail.next_attempt_at, OutgoingMail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ))
    if not waiting:
        db.session.rollback()
        return Delivery(0, 0)
    sent = failed = 0
    try:
        smtp = _connect()
    except (OSError, smtplib.SMTPException) as error:
        for mail in waiting:
            _failed(mail, error, now)
        db.session.commit()
        return Delivery(0, len(waiting))
    try:
        for mail in waiting:
            try:
                smtp.send_message(_message(mail))
            except (OSError, smtplib.SMTPException, ValueError) as error:  # ValueError: a header it cannot carry
                _failed(mail, error, now)
                failed += 1
            else:
                mail.sent_at = now
                sent += 1
    finally:
        # What went out is recorded before anything else can fail (closing the connection included), so that
        # no message is sent twice.
        db.session.commit()
        _close(smtp)
    return Delivery(sent, failed)


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def _connect() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(config["LMS_MAIL_SERVER"], config["LMS_MAIL_PORT"], timeout=10)
    if config["LMS_MAIL_USE_TLS"]:
        smtp.starttls()
    if config.get("LMS_MAIL_USERNAME"):
        smtp.login(config["LMS_MAIL_USERNAME"], config.get("LMS_MAIL_PASSWORD") or "")
    return smtp


def _failed(mail: OutgoingMail, error: Exception, now: datetime) -> None:
    mail.attempts += 1
    mail.last_error = f"{type(error).__name__}: {error}"[:2000]
    mail.next_attempt_at = now + retry_delay(mail.attempts)
    log.warning("mail %s to %s failed (attempt %d): %s", mail.id, mail.recipient, mail.attempts, mail.last_error)


mail_cli = AppGroup("mail", help="Outgoing mail.")


@mail_cli.command("deliver")
@click.option("--loop", is_flag=True, help="Keep delivering, pausing between rounds (run beside the app servers).")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between rounds with --loop.")
def deliver_command(loop: bool, interval: float) -> None:
    """Send the mail waiting in the outbox."""
    if not current_app.config.get("LMS_MAIL_SERVER"):
        raise click.ClickException("LMS_MAIL_SERVER is not set: mail is written to the log, nothing is queued.")
    while True:
        result = deliver()
        if result.sent or result.failed:
            click.echo(f"{result.sent} sent, {result.failed} failed")
        if not loop:
            return
        if result.sent + result.failed == 0:
            time.sleep(interval)
