"""Signing keys: thumbprints, loading from a directory or the environment, the dev default, rotation, JWK Set."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from lms.certification import keys
from lms.certification.keys import SigningKey, SigningKeyError


def test_thumbprint_matches_rfc_8037_example() -> None:
    # RFC 8037, appendix A.2/A.3: the Ed25519 example key and its RFC 7638 thumbprint.
    x = keys.b64url_decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
    public_key = Ed25519PublicKey.from_public_bytes(x)
    assert keys.thumbprint(public_key) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_rfc_8037_private_key_yields_its_public_key_and_kid() -> None:
    d = keys.b64url_decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")
    key = SigningKey.from_private(keys.parse_private_key(base64.b64encode(d).decode()))
    assert key.public_jwk()["x"] == "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    assert key.kid == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_public_jwk_has_exactly_the_public_members() -> None:
    jwk = SigningKey.generate().public_jwk()
    assert set(jwk) == {"kty", "crv", "x", "kid", "alg", "use"}
    assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == ("OKP", "Ed25519", "EdDSA", "sig")
    assert "d" not in jwk


def test_dev_default_is_generated_once_in_the_instance_folder(tmp_path: Path) -> None:
    first = keys.load_keyring({}, tmp_path)
    second = keys.load_keyring({}, tmp_path)
    assert first.active.kid == second.active.kid
    directory = tmp_path / keys.DEV_DIRECTORY
    pem = directory / f"{first.active.kid}.pem"
    assert pem.exists()
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    assert (directory / keys.ACTIVE_FILE).read_text().strip() == first.active.kid


def test_production_without_a_key_refuses(tmp_path: Path) -> None:
    with pytest.raises(SigningKeyError, match="LMS_SIGNING_KEY"):
        keys.load_keyring({}, tmp_path, production=True)
    assert not (tmp_path / keys.DEV_DIRECTORY).exists()


@pytest.mark.parametrize("encoding", ["pem", "base64-pem", "base64-der", "base64url-seed"])
def test_key_from_environment_variable(tmp_path: Path, encoding: str) -> None:
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    der = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    seed = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                 serialization.NoEncryption())
    value = {
        "pem": pem.decode(),
        "base64-pem": base64.b64encode(pem).decode(),
        "base64-der": base64.b64encode(der).decode(),
        "base64url-seed": keys.b64url(seed),
    }[encoding]
    ring = keys.load_keyring({"LMS_SIGNING_KEY": value}, tmp_path, production=True)
    assert ring.active.kid == keys.thumbprint(private.public_key())
    assert not (tmp_path / keys.DEV_DIRECTORY).exists()


@pytest.mark.parametrize(
    "value", ["not a key", base64.b64encode(b"too short").decode(), "-----BEGIN PRIVATE KEY-----\nxx"]
)
def test_unreadable_environment_key_is_a_clear_error(tmp_path: Path, value: str) -> None:
    with pytest.raises(SigningKeyError, match="signing key"):
        keys.load_keyring({"LMS_SIGNING_KEY": value}, tmp_path)


def test_environment_key_with_directory_publishes_the_older_keys(tmp_path: Path, key_dir: Path) -> None:
    old = keys.load_directory(key_dir).active
    new = SigningKey.generate()
    ring = keys.load_keyring(
        {"LMS_SIGNING_KEY": new.private_pem().decode(), "LMS_SIGNING_KEYS_DIR": str(key_dir)}, tmp_path
    )
    assert ring.active.kid == new.kid
    assert [k.kid for k in ring.keys] == [new.kid, old.kid]


def test_rotation_adds_an_active_key_and_keeps_the_old_ones(key_dir: Path) -> None:
    first = keys.load_directory(key_dir).active
    second = keys.rotate(key_dir)
    third = keys.rotate(key_dir)
    ring = keys.load_directory(key_dir)
    assert ring.active.kid == third.kid
    assert {k.kid for k in ring.keys} == {first.kid, second.kid, third.kid}
    assert ring.keys[0].kid == third.kid
    published = [jwk["kid"] for jwk in ring.jwks()["keys"]]
    assert published[0] == third.kid
    assert set(published) == {first.kid, second.kid, third.kid}


def test_rotation_can_retire_old_private_keys(key_dir: Path) -> None:
    first = keys.load_directory(key_dir).active
    keys.rotate(key_dir, retire_private=True)
    ring = keys.load_directory(key_dir)
    old = ring.get(first.kid)
    assert old is not None
    assert old.private_key is None
    assert not (key_dir / f"{first.kid}.pem").exists()
    assert (key_dir / f"{first.kid}.pub.pem").exists()


def test_directory_with_two_keys_and_no_active_file_is_refused(key_dir: Path) -> None:
    keys.rotate(key_dir)
    (key_dir / keys.ACTIVE_FILE).unlink()
    with pytest.raises(SigningKeyError, match="ACTIVE"):
        keys.load_directory(key_dir)


def test_active_file_naming_an_unknown_kid_is_refused(key_dir: Path) -> None:
    (key_dir / keys.ACTIVE_FILE).write_text("no-such-kid\n")
    with pytest.raises(SigningKeyError, match="no-such-kid"):
        keys.load_directory(key_dir)


def test_kid_comes_from_the_key_not_the_file_name(key_dir: Path) -> None:
    ring = keys.load_directory(key_dir)
    (key_dir / f"{ring.active.kid}.pem").rename(key_dir / "renamed.pem")
    assert keys.load_directory(key_dir).active.kid == ring.active.kid


def test_non_ed25519_key_is_refused(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(SigningKeyError, match="Ed25519"):
        keys.load_keyring({"LMS_SIGNING_KEY": pem.decode()}, tmp_path)


def test_jwks_is_json_and_round_trips_to_the_same_public_keys(keyring: keys.KeyRing) -> None:
    document = json.loads(json.dumps(keyring.jwks()))
    found = keys.public_keys_from_jwks(document)
    assert list(found) == [k.kid for k in keyring.keys]


def test_jwks_member_whose_kid_does_not_match_its_key_is_ignored(keyring: keys.KeyRing) -> None:
    jwk = keyring.active.public_jwk() | {"kid": "someone-else"}
    assert keys.public_keys_from_jwks({"keys": [jwk]}) == {}


def test_loader_reloads_after_a_rotation_and_not_otherwise(key_dir: Path, tmp_path: Path) -> None:
    loader = keys.KeyRingLoader({"LMS_SIGNING_KEYS_DIR": str(key_dir)}, tmp_path)
    first = loader.get()
    assert loader.get() is first
    new = keys.rotate(key_dir)
    second = loader.get()
    assert second.active.kid == new.kid
    assert second.get(first.active.kid) is not None


def test_loader_uses_the_dev_default(tmp_path: Path) -> None:
    loader = keys.KeyRingLoader({}, tmp_path)
    assert loader.get().active.kid == keys.load_keyring({}, tmp_path).active.kid
