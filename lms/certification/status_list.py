"""W3C Bitstring Status List: the revocation list every verifier can fetch.

The list is a bitstring of :data:`MIN_BITS` bits (the minimum the Recommendation sets, for herd privacy), bit 0 the
left-most (most significant) bit of the first byte. ``encodedList`` is the GZIP-compressed bitstring, base64url
without padding, with the multibase prefix ``u``. A set bit means "revoked".

Nothing here needs the database: the integrator rebuilds the list from the revoked certificates' indices
(:meth:`StatusList.from_indices`) and signs it with :func:`lms.certification.credential.sign`; so a revocation is in
the published list as soon as it is committed.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import io
import secrets
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lms.certification.credential import VC_CONTEXT, timestamp

#: 16 KiB of bits: the minimum size of a status list (Bitstring Status List v1.0, section 6.1).
MIN_BITS = 131_072
PURPOSE = "revocation"
#: Largest decompressed list accepted when decoding someone's list (a gzip bomb guard): 16 MiB of bits.
MAX_BYTES = 16 * 1024 * 1024


class StatusListError(ValueError):
    """An encoded list or a status entry that cannot be read."""


@dataclass
class StatusList:
    """A mutable bitstring. ``bits`` is the bytes of the bitstring, most significant bit first."""

    bits: bytearray

    @classmethod
    def new(cls, size: int = MIN_BITS) -> StatusList:
        if size < MIN_BITS or size % 8:
            raise ValueError(f"a status list has at least {MIN_BITS} bits, in whole bytes")
        return cls(bytearray(size // 8))

    @classmethod
    def from_indices(cls, indices: Iterable[int], size: int = MIN_BITS) -> StatusList:
        """A list with exactly the bits at ``indices`` set (e.g. the revoked certificates' status indices)."""
        status = cls.new(size)
        for index in indices:
            status.set(index)
        return status

    @property
    def size(self) -> int:
        return len(self.bits) * 8

    def _locate(self, index: int) -> tuple[int, int]:
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < self.size:
            raise IndexError(f"status list index {index!r} is outside 0..{self.size - 1}")
        return index // 8, 0x80 >> (index % 8)

    def get(self, index: int) -> bool:
        byte, mask = self._locate(index)
        return bool(self.bits[byte] & mask)

    def set(self, index: int, value: bool = True) -> None:
        byte, mask = self._locate(index)
        if value:
            self.bits[byte] |= mask
        else:
            self.bits[byte] &= ~mask & 0xFF

    def set_indices(self) -> list[int]:
        """Every index whose bit is set, in order."""
        return [
            offset * 8 + bit
            for offset, byte in enumerate(self.bits)
            if byte
            for bit in range(8)
            if byte & (0x80 >> bit)
        ]

    def encode(self) -> str:
        """``encodedList``: multibase base64url (no padding, prefix ``u``) of the GZIP-compressed bitstring.
        Deterministic (gzip mtime 0), so an unchanged list encodes to the same text."""
        compressed = gzip.compress(bytes(self.bits), compresslevel=9, mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")

    @classmethod
    def decode(cls, encoded: str) -> StatusList:
        """Read an ``encodedList``; raises :class:`StatusListError` on anything malformed."""
        if not isinstance(encoded, str) or not encoded.startswith("u"):
            raise StatusListError("encodedList must be multibase base64url (prefix 'u')")
        body = encoded[1:]
        if any(c in body for c in "+/="):
            raise StatusListError("encodedList must be base64url without padding")
        try:
            compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            with gzip.GzipFile(fileobj=io.BytesIO(compressed)) as stream:
                raw = stream.read(MAX_BYTES + 1)
        except (binascii.Error, OSError, EOFError, ValueError) as exc:
            raise StatusListError(f"encodedList is not a GZIP-compressed bitstring: {exc}") from exc
        if len(raw) > MAX_BYTES:
            raise StatusListError("encodedList is too large")
        if len(raw) * 8 < MIN_BITS:
            raise StatusListError(f"a status list must hold at least {MIN_BITS} bits")
        return cls(bytearray(raw))


def random_free_index(used: Container[int], size: int = MIN_BITS, attempts: int = 64) -> int:
    """A random index not in ``used``: random assignment keeps an index from telling anything about the holder or
    the issue order (the Recommendation's privacy advice). After ``attempts`` random draws it scans from a random
    start, so it fails only when the list is really full. The caller stores the index under a unique constraint
    (and draws again if a concurrent issuance took it first)."""
    for _ in range(attempts):
        index = secrets.randbelow(size)
        if index not in used:
            return index
    start = secrets.randbelow(size)
    for offset in range(size):
        index = (start + offset) % size
        if index not in used:
            return index
    raise StatusListError("the status list is full; start a new list")


def build_status_list_credential(
    list_url: str, issuer: str | Mapping[str, Any], status: StatusList, *, valid_from: datetime,
    valid_until: datetime | None = None, purpose: str = PURPOSE,
) -> dict[str, Any]:
    """The unsecured ``BitstringStatusListCredential`` published at ``list_url``; sign it with
    :func:`lms.certification.credential.sign` and serve the compact JWS as ``application/vc+jwt``."""
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": dict(issuer) if isinstance(issuer, Mapping) else issuer,
        "validFrom": timestamp(valid_from),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": status.encode(),
        },
    }
    if valid_until is not None:
        credential["validUntil"] = timestamp(valid_until)
    return credential


def is_set_for(entry: Mapping[str, Any], status_list_credential: Mapping[str, Any]) -> bool:
    """Whether the bit that ``entry`` (a credential's ``credentialStatus``) points at is set in the (already
    verified) status list credential: ``True`` means revoked for purpose ``revocation``.

    Checks that the entry names this list and that both agree on the purpose.
    """
    if entry.get("type") != "BitstringStatusListEntry":
        raise StatusListError("credentialStatus is not a BitstringStatusListEntry")
    if entry.get("statusListCredential") != status_list_credential.get("id"):
        raise StatusListError("credentialStatus points at a different status list")
    subject = status_list_credential.get("credentialSubject") or {}
    if "BitstringStatusListCredential" not in (status_list_credential.get("type") or []):
        raise StatusListError("not a BitstringStatusListCredential")
    if subject.get("statusPurpose") != entry.get("statusPurpose"):
        raise StatusListError("the status purposes differ")
    raw_index = entry.get("statusListIndex")
    if not isinstance(raw_index, str) or not raw_index.isdigit():
        raise StatusListError("statusListIndex must be a string of digits")
    status = StatusList.decode(subject.get("encodedList", ""))
    try:
        return status.get(int(raw_index))
    except IndexError as exc:
        raise StatusListError(str(exc)) from exc
