"""Open Badges 3.0 credential: the document, its schema validity, and the VC-JWT verified by an independent path."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lms.certification import keys
from lms.certification.credential import (
    OB_CONTEXT,
    VC_CONTEXT,
    Certificate,
    CredentialError,
    Issuer,
    Links,
    build_credential,
    sign,
    validity,
    verify,
)


def _b64url_decode(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify_independently(token: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """Verify a compact JWS with nothing but ``cryptography`` and the published JWK Set (not our code)."""
    header_b64, payload_b64, signature_b64 = token.split(".")
    header = json.loads(_b64url_decode(header_b64))
    assert header["alg"] == "EdDSA"
    assert header["typ"] == "vc+jwt"
    (jwk,) = [k for k in jwks["keys"] if k["kid"] == header["kid"]]
    assert (jwk["kty"], jwk["crv"]) == ("OKP", "Ed25519")
    public_key = Ed25519PublicKey.from_public_bytes(_b64url_decode(jwk["x"]))
    public_key.verify(_b64url_decode(signature_b64), f"{header_b64}.{payload_b64}".encode("ascii"))
    return json.loads(_b64url_decode(payload_b64))


def test_credential_has_the_required_shape(certificate: Certificate, issuer: Issuer, links: Links) -> None:
    vc = build_credential(certificate, issuer, links)
    assert vc["@context"] == [VC_CONTEXT, OB_CONTEXT]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["id"] == "https://lms.example.jp/credentials/c7Hq2VnX4kPz9RtYwL3mBd"
    assert vc["issuer"] == {"id": issuer.id, "type": ["Profile"], "name": issuer.name, "url": issuer.url,
                            "email": issuer.email}
    assert vc["validFrom"] == "2026-04-01T09:30:00Z"
    assert vc["validUntil"] == "2029-03-31T23:59:59Z"
    subject = vc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["licenseNumber"] == "IPMS-2026-000123"
    names = [i["identityHash"] for i in subject["identifier"] if i["identityType"] == "name"]
    assert names == ["Hanako Yamada", "山田 花子"]
    (email,) = [i for i in subject["identifier"] if i["identityType"] == "emailAddress"]
    assert email["hashed"] is True
    assert "hanako@example.jp" not in json.dumps(vc)
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["achievementType"] == "Certification"
    assert achievement["criteria"]["narrative"] == certificate.track.criteria_narrative
    assert "知財経営支援専門家" in achievement["name"]
    assert vc["credentialStatus"] == {
        "id": "https://lms.example.jp/credentials/status/revocation#4242",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "4242",
        "statusListCredential": "https://lms.example.jp/credentials/status/revocation",
    }


def test_email_hash_is_the_open_badges_identity_hash(certificate: Certificate, issuer: Issuer, links: Links) -> None:
    import hashlib

    vc = build_credential(certificate, issuer, links)
    (email,) = [i for i in vc["credentialSubject"]["identifier"] if i["identityType"] == "emailAddress"]
    assert email["identityHash"] == "sha256$" + hashlib.sha256(b"hanako@example.jps4lt").hexdigest()
    assert email["salt"] == "s4lt"


def test_credential_validates_against_the_open_badges_schema(
    certificate: Certificate, issuer: Issuer, links: Links, ob_schema: dict
) -> None:
    vc = build_credential(certificate, issuer, links)
    jsonschema.Draft201909Validator(ob_schema, format_checker=jsonschema.FormatChecker()).validate(vc)


def test_credential_without_expiry_or_japanese_name_still_validates(
    certificate: Certificate, issuer: Issuer, links: Links, ob_schema: dict
) -> None:
    bare = replace(certificate, valid_until=None, holder=replace(certificate.holder, name_ja="", email=None))
    vc = build_credential(bare, issuer, links)
    assert "validUntil" not in vc
    assert [i["identityHash"] for i in vc["credentialSubject"]["identifier"]] == ["Hanako Yamada"]
    jsonschema.Draft201909Validator(ob_schema).validate(vc)


def test_schema_rejects_a_credential_without_the_badge_type(
    certificate: Certificate, issuer: Issuer, links: Links, ob_schema: dict
) -> None:
    # Guard that the schema check above has teeth.
    vc = build_credential(certificate, issuer, links) | {"type": ["VerifiableCredential"]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft201909Validator(ob_schema).validate(vc)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"valid_until": datetime(2026, 1, 1, tzinfo=UTC)}, "after validFrom"),
        ({"valid_from": datetime(2026, 4, 1)}, "timezone-aware"),
        ({"status_index": -1}, "negative"),
    ],
)
def test_bad_certificate_data_is_refused(
    certificate: Certificate, issuer: Issuer, links: Links, change: dict, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        build_credential(replace(certificate, **change), issuer, links)


def test_holder_without_any_name_is_refused(certificate: Certificate, issuer: Issuer, links: Links) -> None:
    nameless = replace(certificate, holder=replace(certificate.holder, name_latin=" ", name_ja=""))
    with pytest.raises(ValueError, match="name"):
        build_credential(nameless, issuer, links)


def test_jwt_verifies_independently_with_the_published_jwks(
    certificate: Certificate, issuer: Issuer, links: Links, keyring: keys.KeyRing
) -> None:
    vc = build_credential(certificate, issuer, links)
    token = sign(vc, keyring, issued_at=datetime(2026, 4, 1, 9, 30, tzinfo=UTC))
    published = json.loads(json.dumps(keyring.jwks()))  # as a verifier fetches it
    claims = verify_independently(token, published)
    assert claims["iss"] == issuer.id
    assert claims["jti"] == vc["id"]
    assert claims["iat"] == claims["nbf"] == int(datetime(2026, 4, 1, 9, 30, tzinfo=UTC).timestamp())
    assert "exp" not in claims
    assert {k: v for k, v in claims.items() if k not in {"iss", "jti", "iat", "nbf"}} == vc


def test_our_verify_returns_the_credential(
    certificate: Certificate, issuer: Issuer, links: Links, keyring: keys.KeyRing
) -> None:
    vc = build_credential(certificate, issuer, links)
    token = sign(vc, keyring)
    result = verify(token, keyring.jwks())
    assert result.credential == vc
    assert result.kid == keyring.active.kid
    assert result.header == {"alg": "EdDSA", "typ": "vc+jwt", "kid": keyring.active.kid, "cty": "vc"}
    assert verify(token, keyring).credential == vc


def _tamper(token: str, part: int) -> list[str]:
    """Every way of changing one character of one part of the token into another base64url character."""
    parts = token.split(".")
    text = parts[part]
    variants = []
    for position in (0, len(text) // 2, len(text) - 2):
        original = text[position]
        replacement = "A" if original != "A" else "B"
        changed = [*parts]
        changed[part] = text[:position] + replacement + text[position + 1:]
        variants.append(".".join(changed))
    return variants


@pytest.mark.parametrize("part", [0, 1, 2])
def test_one_changed_character_fails_verification(
    certificate: Certificate, issuer: Issuer, links: Links, keyring: keys.KeyRing, part: int
) -> None:
    token = sign(build_credential(certificate, issuer, links), keyring)
    for tampered in _tamper(token, part):
        with pytest.raises(CredentialError):
            verify(tampered, keyring.jwks())
        with pytest.raises((InvalidSignature, ValueError, KeyError, AssertionError)):
            verify_independently(tampered, keyring.jwks())


def test_changed_claim_fails_with_a_signature_error(
    certificate: Certificate, issuer: Issuer, links: Links, keyring: keys.KeyRing
) -> None:
    token = sign(build_credential(certificate, issuer, links), keyring)
    header, payload, signature = token.split(".")
    claims = json.loads(_b64url_decode(payload))
    claims["validUntil"] = "2099-03-31T23:59:59Z"
    forged = keys.b64url(json.dumps(claims, separators=(",", ":")).encode())
    with pytest.raises(CredentialError) as caught:
        verify(f"{header}.{forged}.{signature}", keyring)
    assert caught.value.reason == "signature"


def test_unknown_kid_fails(certificate: Certificate, issuer: Issuer, links: Links, keyring: keys.KeyRing) -> None:
    stranger = keys.KeyRing.of(keys.SigningKey.generate())
    token = sign(build_credential(certificate, issuer, links), stranger)
    with pytest.raises(CredentialError) as caught:
        verify(token, keyring.jwks())
    assert caught.value.reason == "unknown-key"


def test_rotation_keeps_old_credentials_verifiable(
    certificate: Certificate, issuer: Issuer, links: Links, key_dir: Path
) -> None:
    vc = build_credential(certificate, issuer, links)
    old_token = sign(vc, keys.load_directory(key_dir))
    keys.rotate(key_dir, retire_private=True)
    ring = keys.load_directory(key_dir)
    new_token = sign(vc, ring)
    assert verify(old_token, ring.jwks()).kid != verify(new_token, ring.jwks()).kid == ring.active.kid
    verify_independently(old_token, ring.jwks())
    verify_independently(new_token, ring.jwks())


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ({"alg": "none", "typ": "vc+jwt"}, "algorithm"),
        ({"alg": "HS256", "typ": "vc+jwt"}, "algorithm"),
        ({"alg": "EdDSA", "typ": "JWT"}, "type"),
    ],
)
def test_wrong_header_is_refused(vc: dict, keyring: keys.KeyRing, header: dict, reason: str) -> None:
    token = sign(vc, keyring)
    _, payload, signature = token.split(".")
    forged_header = keys.b64url(json.dumps(header | {"kid": keyring.active.kid}).encode())
    with pytest.raises(CredentialError) as caught:
        verify(f"{forged_header}.{payload}.{signature}", keyring)
    assert caught.value.reason == reason


@pytest.mark.parametrize("token", ["", "abc", "a.b", "a.b.c", "....", None])
def test_malformed_tokens_are_refused(keyring: keys.KeyRing, token: Any) -> None:
    with pytest.raises(CredentialError) as caught:
        verify(token, keyring)
    assert caught.value.reason in {"malformed", "algorithm"}


def test_issuer_mismatch_is_refused(issuer: Issuer, keyring: keys.KeyRing) -> None:
    import jwt

    claims = {"@context": [VC_CONTEXT], "type": ["VerifiableCredential"], "issuer": issuer.id,
              "iss": "https://evil.example", "iat": 0}
    token = jwt.encode(claims, keyring.active.private_key, algorithm="EdDSA",
                       headers={"kid": keyring.active.kid, "typ": "vc+jwt"})
    with pytest.raises(CredentialError) as caught:
        verify(token, keyring)
    assert caught.value.reason == "issuer"


def test_sign_refuses_a_document_carrying_jwt_claims(keyring: keys.KeyRing, issuer: Issuer) -> None:
    with pytest.raises(ValueError, match="JWT claims"):
        sign({"@context": [VC_CONTEXT], "issuer": issuer.id, "exp": 1}, keyring)


def test_validity_follows_valid_from_and_valid_until(certificate: Certificate, issuer: Issuer, links: Links) -> None:
    vc = build_credential(certificate, issuer, links)
    assert validity(vc, datetime(2026, 3, 1, tzinfo=UTC)) == "not-yet-valid"
    assert validity(vc, datetime(2027, 1, 1, tzinfo=UTC)) == "valid"
    assert validity(vc, datetime(2029, 3, 31, 23, 59, 59, tzinfo=UTC)) == "expired"


def test_expired_credential_still_verifies_as_authentic(
    certificate: Certificate, issuer: Issuer, links: Links, keyring: keys.KeyRing
) -> None:
    token = sign(build_credential(certificate, issuer, links), keyring)
    result = verify(token, keyring, now=datetime(2030, 1, 1, tzinfo=UTC))
    assert validity(result.credential, datetime(2030, 1, 1, tzinfo=UTC)) == "expired"


def test_credential_not_yet_valid_is_refused(
    certificate: Certificate, issuer: Issuer, links: Links, keyring: keys.KeyRing
) -> None:
    token = sign(build_credential(certificate, issuer, links), keyring)
    with pytest.raises(CredentialError) as caught:
        verify(token, keyring, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert caught.value.reason == "not-yet-valid"

