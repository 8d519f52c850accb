"""Users, the roles they hold, and single-use password-reset tokens."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.access import Permission, Role, permissions_of
from lms.core.db import UTCDateTime, db, enum_type, utcnow
from lms.core.prefectures import CODES


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased, so uniqueness is case-insensitive on every database.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    #: The name as written in Japanese script (kanji/kana); optional if a Latin name is given.
    name_ja: Mapped[str | None] = mapped_column(sa.String(100))
    #: The name in Latin script; optional if a Japanese name is given.
    name_latin: Mapped[str | None] = mapped_column(sa.String(100))
    #: JIS X 0401 code, '01'..'47'.
    prefecture_code: Mapped[str | None] = mapped_column(sa.String(2))
    organisation: Mapped[str | None] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    #: Changes with the password, so every other session and remember-me cookie stops working.
    session_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_session_token)
    locale: Mapped[str | None] = mapped_column(sa.String(5))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )

    __table_args__ = (
        sa.CheckConstraint("name_ja IS NOT NULL OR name_latin IS NOT NULL", name="has_name"),
        sa.CheckConstraint(
            "prefecture_code IS NULL OR prefecture_code IN ({})".format(", ".join(f"'{c}'" for c in CODES)),
            name="prefecture_code",
        ),
        # The few deactivated accounts, so that listings can exclude them without joining every user.
        sa.Index("ix_users_inactive", "id", postgresql_where=sa.text("NOT active"), sqlite_where=sa.text("NOT active")),
    )

    # Flask-Login
    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(row.role for row in self.role_rows)

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def can(self, permission: Permission) -> bool:
        return permission in permissions_of(self.roles)

    def display_name(self, lang: str = "en") -> str:
        first, second = (self.name_ja, self.name_latin) if lang == "ja" else (self.name_latin, self.name_ja)
        return first or second or self.email

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="role_rows")

    __table_args__ = (sa.Index("ix_user_roles_role", "role"),)


class PasswordResetToken(db.Model):
    """Only a SHA-256 of the token is stored: a database leak does not hand out reset links."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
