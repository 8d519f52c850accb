"""The issuer's Ed25519 signing keys: loading, key ids (RFC 7638 thumbprints), rotation, and the JWK Set.

Keys never live in the database. They come from, in this order:

1. ``LMS_SIGNING_KEY``: one private key as PEM text, or the base64 of a PEM file, of a PKCS#8 DER key or of a
   raw 32-byte Ed25519 seed. It is the active key. If ``LMS_SIGNING_KEYS_DIR`` is set as well, the keys in that
   directory are published beside it (older keys, so that credentials they signed still verify).
2. ``LMS_SIGNING_KEYS_DIR``: a directory of PEM files. ``<kid>.pem`` holds a private key (PKCS#8);
   ``<kid>.pub.pem`` holds only the public half of a retired key whose private half was destroyed. The file
   ``ACTIVE`` names the kid that signs; without it the directory must hold exactly one private key.
3. Neither set, outside production: ``<instance>/signing-keys/``, generated on first use (development only; each
   machine would get its own key, so production refuses this and asks for 1 or 2).

The key id is never taken from a file name: it is computed from the key itself, so a renamed file cannot make one
key pose as another. ``rotate(directory)`` adds a new active key and keeps the old ones.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

#: JOSE algorithm name for Ed25519 signatures (RFC 8037).
ALGORITHM = "EdDSA"
#: File in a key directory that names the active kid.
ACTIVE_FILE = "ACTIVE"
#: Development default, relative to the Flask instance folder.
DEV_DIRECTORY = "signing-keys"

ENV_KEY = "LMS_SIGNING_KEY"
ENV_DIRECTORY = "LMS_SIGNING_KEYS_DIR"


class SigningKeyError(Exception):
    """A signing key is missing, unreadable or ambiguous. The message says which and how to fix it."""


def b64url(data: bytes) -> str:
    """base64url without padding (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Inverse of :func:`b64url`; raises ``ValueError`` on anything that is not base64url."""
    if not isinstance(text, str) or any(c in text for c in "+/= \n"):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc


def _raw_public(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def thumbprint(public_key: Ed25519PublicKey) -> str:
    """RFC 7638 JWK thumbprint (SHA-256) of an Ed25519 public key: the required members, sorted, no spaces."""
    canonical = json.dumps(
        {"crv": "Ed25519", "kty": "OKP", "x": b64url(_raw_public(public_key))}, separators=(",", ":"), sort_keys=True
    )
    return b64url(hashlib.sha256(canonical.encode("utf-8")).digest())


@dataclass(frozen=True)
class SigningKey:
    """One issuer key. ``private_key`` is ``None`` for a retired key that is only published."""

    kid: str
    public_key: Ed25519PublicKey
    private_key: Ed25519PrivateKey | None = None

    @classmethod
    def from_private(cls, private_key: Ed25519PrivateKey) -> SigningKey:
        public_key = private_key.public_key()
        return cls(kid=thumbprint(public_key), public_key=public_key, private_key=private_key)

    @classmethod
    def from_public(cls, public_key: Ed25519PublicKey) -> SigningKey:
        return cls(kid=thumbprint(public_key), public_key=public_key)

    @classmethod
    def generate(cls) -> SigningKey:
        return cls.from_private(Ed25519PrivateKey.generate())

    def public_jwk(self) -> dict[str, str]:
        """The public key as a JWK (RFC 8037 OKP), ready for a JWK Set. Never contains ``d``."""
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": b64url(_raw_public(self.public_key)),
            "kid": self.kid,
            "alg": ALGORITHM,
            "use": "sig",
        }

    def private_pem(self) -> bytes:
        if self.private_key is None:
            raise SigningKeyError(f"key {self.kid} has no private half")
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def public_pem(self) -> bytes:
        return self.public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


@dataclass(frozen=True)
class KeyRing:
    """The active signing key and every key still published (the active one first, then older ones by kid)."""

    active: SigningKey
    keys: tuple[SigningKey, ...]

    def __post_init__(self) -> None:
        if self.active.private_key is None:
            raise SigningKeyError("the active key must have its private half")
        if not self.keys or self.keys[0].kid != self.active.kid:
            raise SigningKeyError("the key ring must list the active key first")

    @classmethod
    def of(cls, active: SigningKey, *others: SigningKey) -> KeyRing:
        rest = sorted({k.kid: k for k in others if k.kid != active.kid}.values(), key=lambda k: k.kid)
        return cls(active=active, keys=(active, *rest))

    def get(self, kid: str) -> SigningKey | None:
        return next((k for k in self.keys if k.kid == kid), None)

    def jwks(self) -> dict[str, Any]:
        """The JWK Set document to publish at ``/.well-known/jwks.json`` (public keys only)."""
        return jwks(self.keys)


def jwks(keys: tuple[SigningKey, ...] | list[SigningKey]) -> dict[str, Any]:
    """A JWK Set (RFC 7517 section 5) of the public halves of ``keys``."""
    return {"keys": [k.public_jwk() for k in keys]}


def public_keys_from_jwks(document: Mapping[str, Any]) -> dict[str, Ed25519PublicKey]:
    """kid -> public key from a JWK Set, skipping members that are not Ed25519 signing keys.

    The kid is checked against the key's own thumbprint, so a JWK Set cannot rename a key.
    """
    found: dict[str, Ed25519PublicKey] = {}
    for jwk in document.get("keys", []) if isinstance(document, Mapping) else []:
        if not isinstance(jwk, Mapping) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            continue
        if jwk.get("use", "sig") != "sig" or jwk.get("alg", ALGORITHM) != ALGORITHM:
            continue
        try:
            raw = b64url_decode(jwk.get("x", ""))
            public_key = Ed25519PublicKey.from_public_bytes(raw)
        except ValueError:
            continue
        kid = thumbprint(public_key)
        if jwk.get("kid", kid) == kid:
            found[kid] = public_key
    return found


# --- Loading -----------------------------------------------------------------------------------------------------


def parse_private_key(value: str | bytes) -> Ed25519PrivateKey:
    """A private key from PEM text, or from base64 of PEM, PKCS#8 DER or a raw 32-byte seed."""
    data = value.encode("utf-8") if isinstance(value, str) else value
    data = data.strip()
    if not data.startswith(b"-----BEGIN"):
        compact = b"".join(data.split())
        altchars = b"-_" if (b"-" in compact or b"_" in compact) else None
        try:
            data = base64.b64decode(compact + b"=" * (-len(compact) % 4), altchars=altchars, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise SigningKeyError("the signing key is neither PEM nor base64") from exc
    try:
        if data.startswith(b"-----BEGIN"):
            key = serialization.load_pem_private_key(data, password=None)
        elif len(data) == 32:
            key = Ed25519PrivateKey.from_private_bytes(data)
        else:
            key = serialization.load_der_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(f"the signing key cannot be read: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError("the signing key must be an Ed25519 key (openssl genpkey -algorithm ed25519)")
    return key


def _read_public(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(f"{path}: not a PEM public key ({exc})") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise SigningKeyError(f"{path}: not an Ed25519 public key")
    return key


def load_directory(directory: str | os.PathLike[str]) -> KeyRing:
    """The key ring held in ``directory`` (see the module docstring for its layout)."""
    root = Path(directory)
    if not root.is_dir():
        raise SigningKeyError(f"{root}: no such key directory")
    private: dict[str, SigningKey] = {}
    public: dict[str, SigningKey] = {}
    for path in sorted(root.glob("*.pem")):
        if path.name.endswith(".pub.pem"):
            key = SigningKey.from_public(_read_public(path))
            public[key.kid] = key
        else:
            try:
                key = SigningKey.from_private(parse_private_key(path.read_bytes()))
            except SigningKeyError as exc:
                raise SigningKeyError(f"{path}: {exc}") from exc
            private[key.kid] = key
    active_file = root / ACTIVE_FILE
    if active_file.exists():
        kid = active_file.read_text(encoding="utf-8").strip()
        if kid not in private:
            raise SigningKeyError(f"{active_file} names {kid!r}, but no private key in {root} has that thumbprint")
        active = private[kid]
    elif len(private) == 1:
        active = next(iter(private.values()))
    else:
        raise SigningKeyError(
            f"{root} holds {len(private)} private keys and no {ACTIVE_FILE} file naming the active one"
        )
    return KeyRing.of(active, *private.values(), *public.values())


def load_keyring(settings: Mapping[str, Any], instance_path: str | os.PathLike[str], *,
                 production: bool = False) -> KeyRing:
    """The issuer's keys, from ``LMS_SIGNING_KEY`` / ``LMS_SIGNING_KEYS_DIR`` in ``settings`` (``os.environ`` or
    ``app.config``), else a development key generated in ``<instance_path>/signing-keys`` (refused in production).
    """
    env_key = settings.get(ENV_KEY) or None
    env_dir = settings.get(ENV_DIRECTORY) or None
    if env_key:
        active = SigningKey.from_private(parse_private_key(env_key))
        others = load_directory(env_dir).keys if env_dir else ()
        return KeyRing.of(active, *others)
    if env_dir:
        return load_directory(env_dir)
    if production:
        raise SigningKeyError(
            f"production needs the issuer's signing key: set {ENV_KEY} (PEM or base64) or {ENV_DIRECTORY} "
            "(a directory of PEM files shared by every server); see lms/certification/keys.py"
        )
    return ensure_directory(Path(instance_path) / DEV_DIRECTORY)


class KeyRingLoader:
    """Loads the key ring once, and again only when the key directory changes, so a rotation on a shared
    directory shows up on every server without a restart. ``get()`` lists the directory and reads ``ACTIVE`` per
    call; keep one loader per app (e.g. in ``app.extensions``) and call ``get()`` when signing or serving the
    JWK Set."""

    def __init__(self, settings: Mapping[str, Any], instance_path: str | os.PathLike[str], *,
                 production: bool = False) -> None:
        self._settings = dict(settings)
        self._instance_path = instance_path
        self._production = production
        self._stamp: tuple[Any, ...] | None = None
        self._ring: KeyRing | None = None

    def _directory(self) -> Path | None:
        if self._settings.get(ENV_DIRECTORY):
            return Path(self._settings[ENV_DIRECTORY])
        if self._settings.get(ENV_KEY) or self._production:
            return None
        return Path(self._instance_path) / DEV_DIRECTORY

    def _current_stamp(self) -> tuple[Any, ...]:
        directory = self._directory()
        if directory is None or not directory.is_dir():
            return (None,)
        active = directory / ACTIVE_FILE
        names = tuple(sorted(p.name for p in directory.glob("*.pem")))
        return (names, active.read_text(encoding="utf-8").strip() if active.exists() else None)

    def get(self) -> KeyRing:
        stamp = self._current_stamp()
        if self._ring is None or stamp != self._stamp:
            self._ring = load_keyring(self._settings, self._instance_path, production=self._production)
            self._stamp = self._current_stamp()
        return self._ring


# --- Writing: first use and rotation -----------------------------------------------------------------------------


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    """An exclusive lock on the directory, so two processes never generate or rotate at once."""
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(root / ".lock", "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_atomic(path: Path, data: bytes, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _add_active(root: Path) -> SigningKey:
    key = SigningKey.generate()
    _write_atomic(root / f"{key.kid}.pem", key.private_pem(), 0o600)
    _write_atomic(root / ACTIVE_FILE, f"{key.kid}\n".encode("ascii"), 0o600)
    return key


def ensure_directory(directory: str | os.PathLike[str]) -> KeyRing:
    """The key ring in ``directory``, generating a first key there if it holds none."""
    root = Path(directory)
    with _locked(root):
        if not any(root.glob("*.pem")):
            _add_active(root)
        return load_directory(root)


def rotate(directory: str | os.PathLike[str], *, retire_private: bool = False) -> SigningKey:
    """Make a new active key in ``directory`` and keep the old ones, so credentials they signed still verify.

    With ``retire_private`` the old private keys are replaced by their public halves (``<kid>.pub.pem``): they
    are still published but can no longer sign. Returns the new active key.
    """
    root = Path(directory)
    with _locked(root):
        old = load_directory(root) if any(root.glob("*.pem")) else None
        new = _add_active(root)
        if retire_private and old is not None:
            for key in old.keys:
                if key.private_key is not None:
                    _write_atomic(root / f"{key.kid}.pub.pem", key.public_pem(), 0o644)
                    (root / f"{key.kid}.pem").unlink()
        return new
