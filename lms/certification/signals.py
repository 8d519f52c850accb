"""Signals other features may listen to, so that certification needs to know none of them."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent with ``user_id=`` inside the transaction that issued, renewed or revoked one of the user's certificates.
certificate_changed = _signals.signal("certificate-changed")
