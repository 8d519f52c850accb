"""Open Badges 3.0 credentials (W3C Verifiable Credentials Data Model 2.0), secured as VC-JWT with EdDSA.

Pure functions over plain dataclasses, independent of the models:

- :func:`build_credential` makes the unsecured ``OpenBadgeCredential`` document;
- :func:`sign` secures any credential document (this one, or the status list credential) as a compact JWS
  following W3C "Securing Verifiable Credentials using JOSE and COSE": the JWT claims set *is* the credential,
  the header carries ``alg: EdDSA``, ``kid`` (the key's RFC 7638 thumbprint), ``typ: vc+jwt`` and ``cty: vc``;
- :func:`verify` checks a compact JWS against a key ring or a published JWK Set and returns the credential.

The JSON the app serves at ``/credentials/<id>`` is the compact JWS (media type ``application/vc+jwt``); the
unsecured document can be served beside it for people to read, but only the JWS proves anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lms.certification.keys import ALGORITHM, KeyRing, public_keys_from_jwks

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
#: JOSE header ``typ`` and the media type of the secured credential.
JWT_TYP = "vc+jwt"
MEDIA_TYPE = "application/vc+jwt"
#: Claims :func:`sign` adds beside the credential's own members (RFC 7519 registered claims).
JWT_CLAIMS = ("iss", "jti", "iat", "nbf", "exp")


class CredentialError(Exception):
    """A credential could not be verified. ``reason`` is a short, stable code for logs and tests."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Issuer:
    """The issuing organisation, as an Open Badges ``Profile``."""

    id: str  #: URL of the issuer's Profile (what ``issuer_profile`` builds)
    name: str
    url: str  #: the organisation's home page
    email: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Holder:
    """The certified person. Names as they gave them; either may be empty, not both."""

    name_latin: str
    name_ja: str = ""
    #: Optional e-mail address, published only as a salted SHA-256 hash (so a verifier who knows it can match it).
    email: str | None = None
    email_salt: str | None = None


@dataclass(frozen=True)
class Track:
    """The certification track the credential attests."""

    slug: str
    name_en: str
    name_ja: str
    description_en: str
    description_ja: str
    #: The track's published criteria (Markdown allowed): becomes ``achievement.criteria.narrative``.
    criteria_narrative: str


@dataclass(frozen=True)
class Certificate:
    """One issued certificate, as the credential needs it."""

    public_id: str  #: the unguessable public identifier used in /verify/<id> and /credentials/<id>
    serial: str  #: readable serial, e.g. IPMS-2027-000123
    holder: Holder
    track: Track
    valid_from: datetime  #: aware datetime (issue time)
    valid_until: datetime | None  #: aware datetime (expiry), or None for no expiry
    status_index: int  #: this certificate's bit in the revocation status list


@dataclass(frozen=True)
class Links:
    """Every URL the credential names. :meth:`default` derives them from the base URL; the integrator may instead
    pass ``url_for(..., _external=True)`` results so the routes and the credential can never disagree."""

    credential: str  #: GET /credentials/<id>: the credential itself (its ``id``)
    verification: str  #: GET /verify/<id>: the human verification page
    achievement: str  #: the track's public criteria page
    status_list: str  #: GET of the status list credential

    @classmethod
    def default(cls, base_url: str, public_id: str, track_slug: str, status_list_id: str = "revocation") -> Links:
        base = base_url.rstrip("/")
        return cls(
            credential=f"{base}/credentials/{public_id}",
            verification=f"{base}/verify/{public_id}",
            achievement=f"{base}/certification/tracks/{track_slug}",
            status_list=f"{base}/credentials/status/{status_list_id}",
        )


def timestamp(value: datetime) -> str:
    """An XML Schema dateTimeStamp in UTC, seconds precision: ``2027-04-01T00:00:00Z``."""
    if value.tzinfo is None:
        raise ValueError("credential times must be timezone-aware")
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def issuer_profile(issuer: Issuer) -> dict[str, Any]:
    """The issuer's Open Badges ``Profile`` (embedded in each credential; can also be served at ``issuer.id``)."""
    profile: dict[str, Any] = {"id": issuer.id, "type": ["Profile"], "name": issuer.name, "url": issuer.url}
    if issuer.email:
        profile["email"] = issuer.email
    if issuer.description:
        profile["description"] = issuer.description
    return profile


def _identity(identity_type: str, value: str, *, hashed: bool = False, salt: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": "IdentityObject", "identityHash": value, "identityType": identity_type,
                             "hashed": hashed}
    if salt is not None:
        entry["salt"] = salt
    return entry


def _holder_identifiers(holder: Holder) -> list[dict[str, Any]]:
    import hashlib

    names = [n.strip() for n in (holder.name_latin, holder.name_ja) if n and n.strip()]
    if not names:
        raise ValueError("the holder needs a name in Latin script or in Japanese")
    identifiers = [_identity("name", n) for n in dict.fromkeys(names)]
    if holder.email:
        salt = holder.email_salt or ""
        digest = hashlib.sha256((holder.email.strip().lower() + salt).encode("utf-8")).hexdigest()
        identifiers.append(_identity("emailAddress", f"sha256${digest}", hashed=True, salt=salt or None))
    return identifiers


def status_entry(status_list_url: str, index: int, purpose: str = "revocation") -> dict[str, Any]:
    """A ``BitstringStatusListEntry`` pointing at bit ``index`` of the status list credential."""
    if index < 0:
        raise ValueError("a status list index cannot be negative")
    return {
        "id": f"{status_list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": status_list_url,
    }


def build_credential(certificate: Certificate, issuer: Issuer, links: Links) -> dict[str, Any]:
    """The unsecured OpenBadgeCredential for ``certificate``: valid against 1EdTech's OB 3.0 JSON Schema.

    Names are in English with the Japanese beside them (the schema allows plain strings only); the holder is
    identified by name (both scripts) and, when given, a salted e-mail hash; the serial is its ``licenseNumber``.
    """
    track = certificate.track
    holder_line = " / ".join(n for n in (certificate.holder.name_latin, certificate.holder.name_ja) if n)
    achievement: dict[str, Any] = {
        "id": links.achievement,
        "type": ["Achievement"],
        "achievementType": "Certification",
        "name": f"{track.name_en} / {track.name_ja}" if track.name_ja else track.name_en,
        "description": "\n\n".join(d for d in (track.description_en, track.description_ja) if d) or track.name_en,
        "criteria": {"id": links.achievement, "narrative": track.criteria_narrative},
        "humanCode": track.slug,
        "creator": issuer_profile(issuer),
    }
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": links.credential,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{track.name_en}: {holder_line}",
        "description": f"Certificate {certificate.serial}. Verify at {links.verification}",
        "issuer": issuer_profile(issuer),
        "validFrom": timestamp(certificate.valid_from),
        "awardedDate": timestamp(certificate.valid_from),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": _holder_identifiers(certificate.holder),
            "licenseNumber": certificate.serial,
            "achievement": achievement,
        },
        "credentialStatus": status_entry(links.status_list, certificate.status_index),
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    if certificate.valid_until is not None:
        if certificate.valid_until <= certificate.valid_from:
            raise ValueError("validUntil must be after validFrom")
        credential["validUntil"] = timestamp(certificate.valid_until)
    return credential


# --- VC-JWT ------------------------------------------------------------------------------------------------------


def _issuer_id(credential: Mapping[str, Any]) -> str:
    issuer = credential.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    if not isinstance(issuer, str) or not issuer:
        raise ValueError("the credential has no issuer id")
    return issuer


def sign(credential: Mapping[str, Any], keyring: KeyRing, *, issued_at: datetime | None = None) -> str:
    """Secure ``credential`` as a compact JWS (VC-JWT) with the active key.

    The claims set is the credential plus ``iss`` (issuer id), ``jti`` (credential id), ``iat`` and ``nbf``
    (``validFrom``). No ``exp``: an expired credential must still verify as *authentic but expired*; expiry is
    ``validUntil``, which verifiers read from the credential.
    """
    if any(claim in credential for claim in JWT_CLAIMS):
        raise ValueError(f"the credential must not carry JWT claims {JWT_CLAIMS} itself")
    key = keyring.active
    claims: dict[str, Any] = dict(credential)
    claims["iss"] = _issuer_id(credential)
    if isinstance(credential.get("id"), str):
        claims["jti"] = credential["id"]
    claims["iat"] = int((issued_at or datetime.now(UTC)).timestamp())
    if isinstance(credential.get("validFrom"), str):
        claims["nbf"] = int(datetime.fromisoformat(credential["validFrom"].replace("Z", "+00:00")).timestamp())
    headers = {"kid": key.kid, "typ": JWT_TYP, "cty": "vc"}
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers=headers)


@dataclass(frozen=True)
class Verified:
    """A verified VC-JWT: the protected header, the full claims set and the credential without JWT claims."""

    header: dict[str, Any]
    claims: dict[str, Any]
    credential: dict[str, Any]

    @property
    def kid(self) -> str:
        return self.header["kid"]


def _public_keys(keys: KeyRing | Mapping[str, Any]) -> dict[str, Ed25519PublicKey]:
    if isinstance(keys, KeyRing):
        return {k.kid: k.public_key for k in keys.keys}
    return public_keys_from_jwks(keys)


def verify(token: str, keys: KeyRing | Mapping[str, Any], *, now: datetime | None = None) -> Verified:
    """Verify a compact JWS VC-JWT with the issuer's keys (a :class:`KeyRing` or a published JWK Set).

    Checks: three base64url parts, header ``alg`` EdDSA and ``typ`` vc+jwt, a known ``kid``, the Ed25519 signature,
    ``iss`` equal to the credential's issuer, a VC 2.0 ``@context`` and ``type``, and that it is not used before
    ``nbf`` (with a minute's leeway). Expiry is *not* an error here: read ``validUntil`` from the result.
    Raises :class:`CredentialError` with a ``reason`` code.
    """
    if not isinstance(token, str) or token.count(".") != 2:
        raise CredentialError("malformed", "not a compact JWS")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.exceptions.DecodeError as exc:
        raise CredentialError("malformed", f"unreadable JWS header: {exc}") from exc
    if header.get("alg") != ALGORITHM:
        raise CredentialError("algorithm", f"unsupported alg {header.get('alg')!r}; expected {ALGORITHM}")
    if header.get("typ") != JWT_TYP:
        raise CredentialError("type", f"header typ must be {JWT_TYP!r}")
    public_key = _public_keys(keys).get(header.get("kid") or "")
    if public_key is None:
        raise CredentialError("unknown-key", "the credential was signed with a key the issuer does not publish")
    try:
        claims = jwt.decode(
            token,
            public_key,
            algorithms=[ALGORITHM],
            options={"require": ["iss", "iat"], "verify_exp": False, "verify_aud": False, "verify_iat": False,
                     "verify_nbf": False},
        )
    except jwt.exceptions.InvalidSignatureError as exc:
        raise CredentialError("signature", "the signature does not match: the credential was altered") from exc
    except jwt.exceptions.PyJWTError as exc:
        raise CredentialError("malformed", f"not a valid JWS: {exc}") from exc
    credential = {k: v for k, v in claims.items() if k not in JWT_CLAIMS}
    context = credential.get("@context")
    if not isinstance(context, list) or not context or context[0] != VC_CONTEXT:
        raise CredentialError("context", "not a Verifiable Credential 2.0 document")
    if "VerifiableCredential" not in (credential.get("type") or []):
        raise CredentialError("context", "not a Verifiable Credential")
    try:
        issuer = _issuer_id(credential)
    except ValueError as exc:
        raise CredentialError("issuer", str(exc)) from exc
    if claims["iss"] != issuer:
        raise CredentialError("issuer", "iss does not match the credential's issuer")
    nbf = claims.get("nbf")
    moment = (now or datetime.now(UTC)).timestamp()
    if isinstance(nbf, int | float) and moment + 60 < nbf:
        raise CredentialError("not-yet-valid", "the credential is not valid yet")
    return Verified(header=header, claims=claims, credential=credential)


def validity(credential: Mapping[str, Any], now: datetime) -> str:
    """``"valid"``, ``"not-yet-valid"`` or ``"expired"`` from ``validFrom``/``validUntil`` (revocation is the
    status list's business: see :func:`lms.certification.status_list.is_set_for`)."""
    def parse(value: str) -> datetime:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))

    if "validFrom" in credential and now < parse(credential["validFrom"]):
        return "not-yet-valid"
    if "validUntil" in credential and now >= parse(credential["validUntil"]):
        return "expired"
    return "valid"
