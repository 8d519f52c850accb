"""Personal API tokens: partners call the API from their own systems with ``Authorization: Bearer <token>``.

Only a SHA-256 of a token is stored (like password-reset tokens), so a database leak hands out no working
token; the token itself is shown once, when it is created. A token acts with its owner's permissions at the
time of each request: a deactivated account or a lost partner role makes every token of theirs useless. A token
expires when its owner chose (90 days unless they choose otherwise), so a forgotten one does not work for ever.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.db import UTCDateTime, db, utcnow


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: What the owner calls it ("CRM sync"), to tell their tokens apart.
    name: Mapped[str] = mapped_column(sa.String(100))
    #: SHA-256 (hex) of the whole token.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: The token's first characters, shown in the list so the owner can recognise it.
    prefix: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Updated at most once a minute, so a busy integration does not write on every request.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the token stops working by itself (null: never, if its owner chose so).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    user: Mapped[User] = relationship(lazy="joined")
