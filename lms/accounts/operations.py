"""Account operations: the writes and their audit entries. Views, the CLI and tests all call these.

Nothing here commits; the caller commits once, so a failure leaves the database as it was.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _

from lms.accounts import passwords
from lms.accounts.models import PasswordResetToken, User, UserRole, new_session_token
from lms.core import audit, mail
from lms.core.access import Role
from lms.core.db import db, utcnow
from lms.core.prefectures import BY_CODE


class AccountError(ValueError):
    """A refused account change; ``field`` names the form field it concerns, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def _check_password(password: str, user_inputs: Iterable[str | None]) -> None:
    found = passwords.problems(password, [v for v in user_inputs if v])
    if found:
        raise AccountError(found[0], field="password")


def register_user(
    *,
    email: str,
    password: str,
    name_ja: str | None = None,
    name_latin: str | None = None,
    prefecture_code: str | None = None,
    organisation: str | None = None,
    roles: Iterable[Role] = (Role.TRAINEE,),
    actor_id: int | None = None,
) -> User:
    email = normalise_email(email)
    name_ja = (name_ja or "").strip() or None
    name_latin = (name_latin or "").strip() or None
    if not name_ja and not name_latin:
        raise AccountError(_("Give your name in Japanese script, in Latin script, or both."), field="name_latin")
    if prefecture_code and prefecture_code not in BY_CODE:
        raise AccountError(_("Choose one of the 47 prefectures."), field="prefecture_code")
    if find_by_email(email) is not None:
        raise AccountError(_("An account with this email already exists."), field="email")
    _check_password(password, [email, email.split("@")[0], name_ja, name_latin])
    user = User(
        email=email,
        name_ja=name_ja,
        name_latin=name_latin,
        prefecture_code=prefecture_code or None,
        organisation=(organisation or "").strip() or None,
        password_hash=passwords.hash_password(password),
    )
    user.role_rows = [UserRole(role=Role(role)) for role in dict.fromkeys(roles)]
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", "user", user.id, actor_id=actor_id, roles=sorted(r.value for r in user.roles))
    return user


def authenticate(email: str, password: str, now: datetime | None = None) -> User | None:
    """The user if the credentials are right and the account is usable; ``None`` for every failure alike.

    Repeated failures lock the account for a while; a locked account answers like a wrong password, so no
    answer reveals whether an email is registered.
    """
    now = now or utcnow()
    user = find_by_email(email)
    if user is None:
        passwords.verify_password(passwords.DUMMY_HASH, password)
        return None
    if user.is_locked(now):
        passwords.verify_password(passwords.DUMMY_HASH, password)
        return None
    if not passwords.verify_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= current_app.config["LMS_LOCKOUT_THRESHOLD"]:
            user.locked_until = now + timedelta(minutes=current_app.config["LMS_LOCKOUT_MINUTES"])
            user.failed_logins = 0
            audit.record("user.lock", "user", user.id, actor_id=None)
        return None
    if not user.active:
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user


def set_password(user: User, new_password: str, *, actor_id: int | None, action: str) -> None:
    _check_password(new_password, [user.email, user.email.split("@")[0], user.name_ja, user.name_latin])
    user.password_hash = passwords.hash_password(new_password)
    user.session_token = new_session_token()
    user.failed_logins = 0
    user.locked_until = None
    audit.record(action, "user", user.id, actor_id=actor_id)


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not passwords.verify_password(user.password_hash, current_password):
        raise AccountError(_("The current password is wrong."), field="current_password")
    if current_password == new_password:
        raise AccountError(_("Choose a password different from the current one."), field="password")
    set_password(user, new_password, actor_id=user.id, action="user.password_change")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_password_reset(email: str, now: datetime | None = None) -> None:
    """Mail a single-use, expiring reset link if the email is registered; say nothing either way."""
    user = find_by_email(email)
    if user is None or not user.active:
        return
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    minutes = current_app.config["LMS_RESET_TOKEN_MINUTES"]
    db.session.add(
        PasswordResetToken(
            user_id=user.id, token_hash=_token_hash(token), created_at=now, expires_at=now + timedelta(minutes=minutes)
        )
    )
    link = url_for("accounts.reset_password", token=token, _external=True)
    mail.send(
        user.email,
        _("Reset your password"),
        _(
            "Someone asked to reset the password of your account. To choose a new password, open this link "
            "within %(minutes)d minutes:\n\n%(link)s\n\nIf it was not you, ignore this message.",
            minutes=minutes,
            link=link,
        ),
    )


def valid_reset_token(token: str, now: datetime | None = None) -> PasswordResetToken | None:
    row = db.session.scalar(sa.select(PasswordResetToken).where(PasswordResetToken.token_hash == _token_hash(token)))
    now = now or utcnow()
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    return row


def reset_password(token: str, new_password: str, now: datetime | None = None) -> User:
    now = now or utcnow()
    row = valid_reset_token(token, now)
    if row is None:
        raise AccountError(_("This reset link is invalid, expired or already used. Ask for a new one."))
    set_password(row.user, new_password, actor_id=row.user_id, action="user.password_reset")
    row.used_at = now
    # One reset spends every outstanding link of the account.
    db.session.execute(
        sa.update(PasswordResetToken)
        .where(PasswordResetToken.user_id == row.user_id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    return row.user


def grant_role(user: User, role: Role, *, actor_id: int | None, reason: str) -> bool:
    """Give ``user`` the role; False if they already held it (nothing is written then)."""
    reason = _require_reason(reason)
    if role in user.roles:
        return False
    user.role_rows.append(UserRole(role=role))
    db.session.flush()
    audit.record("role.grant", "user", user.id, actor_id=actor_id, reason=reason, role=role.value)
    return True


def revoke_role(user: User, role: Role, *, actor_id: int | None, reason: str) -> bool:
    """Take the role away; False if they did not hold it. The last administrator cannot be removed."""
    reason = _require_reason(reason)
    row = next((r for r in user.role_rows if r.role == role), None)
    if row is None:
        return False
    if role is Role.ADMINISTRATOR and count_with_role(Role.ADMINISTRATOR) <= 1:
        raise AccountError(_("The last administrator cannot lose the administrator role."))
    user.role_rows.remove(row)
    db.session.flush()
    audit.record("role.revoke", "user", user.id, actor_id=actor_id, reason=reason, role=role.value)
    return True


def count_with_role(role: Role) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(UserRole).where(UserRole.role == role)) or 0


def _require_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise AccountError(_("Give a reason: it is kept in the audit log."), field="reason")
    return reason
