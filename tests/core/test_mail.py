"""The mail outbox against a real SMTP server (aiosmtpd on loopback): queued with the transaction, delivered once."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from lms.core import mail
from lms.core.db import db, utcnow
from lms.core.mail import OutgoingMail


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages = []

    def handle_message(self, message) -> None:  # type: ignore[no-untyped-def]
        self.messages.append(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(app) -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(LMS_MAIL_SERVER="127.0.0.1", LMS_MAIL_PORT=port, LMS_MAIL_USE_TLS=False)
    yield inbox, port
    controller.stop()
    app.config.update(LMS_MAIL_SERVER=None, LMS_MAIL_PORT=587, LMS_MAIL_USE_TLS=True)


def waiting() -> list[OutgoingMail]:
    return list(db.session.scalars(sa.select(OutgoingMail).where(OutgoingMail.sent_at.is_(None))))


def test_mail_is_queued_with_the_transaction_and_delivered_once(app, smtp):
    inbox, _port = smtp
    with app.test_request_context():
        mail.send("holder@example.org", "Subject 件名", "Body 本文", reply_to="sme@example.org")
        db.session.commit()
        assert len(waiting()) == 1
        assert inbox.messages == []  # nothing went out while the request ran

    result = app.test_cli_runner().invoke(args=["mail", "deliver"])
    assert result.exit_code == 0, result.output
    assert "1 sent, 0 failed" in result.output
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert (message["To"], message["Reply-To"], str(make_header(decode_header(message["Subject"])))) == (
        "holder@example.org", "sme@example.org", "Subject 件名")
    assert "Body 本文" in message.get_payload(decode=True).decode()

    with app.app_context():
        assert mail.deliver() == mail.Delivery(0, 0)
    assert len(inbox.messages) == 1


def test_a_rolled_back_change_sends_nothing(app, smtp):
    with app.test_request_context():
        mail.send("holder@example.org", "Reset", "link")
        db.session.rollback()
        assert waiting() == []


def test_failures_are_retried_later_with_the_error_kept(app, smtp):
    inbox, port = smtp
    with app.test_request_context():
        mail.send("holder@example.org", "Later", "body")
        db.session.commit()
        app.config["LMS_MAIL_PORT"] = free_port()  # nothing listens there
        now = utcnow()
        assert mail.deliver(now=now) == mail.Delivery(0, 1)
        [row] = waiting()
        assert row.attempts == 1 and "Error" in row.last_error
        assert row.next_attempt_at == now + mail.retry_delay(1)

        app.config["LMS_MAIL_PORT"] = port
        assert mail.deliver(now=now) == mail.Delivery(0, 0)  # not yet due
        assert mail.deliver(now=now + timedelta(minutes=2)) == mail.Delivery(1, 0)
    assert [m["Subject"] for m in inbox.messages] == ["Later"]


def test_retry_delay_grows_and_is_capped():
    assert [mail.retry_delay(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert mail.retry_delay(20) == timedelta(hours=4)


def test_deliver_without_a_mail_server_says_why(app):
    result = app.test_cli_runner().invoke(args=["mail", "deliver"])
    assert result.exit_code != 0 and "LMS_MAIL_SERVER" in result.output


def test_a_message_that_cannot_be_built_fails_alone_and_the_others_go_out(app, smtp):
    inbox, _port = smtp
    with app.test_request_context():
        db.session.add(mail.OutgoingMail(recipient="a@example.org", subject="Bad\nBcc: victim@example.org", body="x"))
        mail.send("b@example.org", "Good", "body")
        db.session.commit()
        assert mail.deliver() == mail.Delivery(1, 1)
        [bad] = waiting()
        assert bad.attempts == 1 and "ValueError" in bad.last_error
    assert [m["Subject"] for m in inbox.messages] == ["Good"]
