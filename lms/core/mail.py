"""Outgoing mail: SMTP when ``LMS_MAIL_SERVER`` is set, otherwise the log (development and tests)."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger("lms.mail")


def send(to: str, subject: str, body: str) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["LMS_MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    server = config.get("LMS_MAIL_SERVER")
    if not server:
        log.info("mail (not sent: no LMS_MAIL_SERVER)\n%s", message.as_string())
        return
    with smtplib.SMTP(server, config["LMS_MAIL_PORT"], timeout=10) as smtp:
        if config["LMS_MAIL_USE_TLS"]:
            smtp.starttls()
        if config.get("LMS_MAIL_USERNAME"):
            smtp.login(config["LMS_MAIL_USERNAME"], config.get("LMS_MAIL_PASSWORD") or "")
        smtp.send_message(message)
