"""Bitstring Status List: encoding, bit order, the signed status list credential, revocation checks."""

from __future__ import annotations

import base64
import gzip
from datetime import UTC, datetime

import pytest

from lms.certification import keys
from lms.certification.credential import VC_CONTEXT, Issuer, sign, verify
from lms.certification.status_list import (
    MIN_BITS,
    StatusList,
    StatusListError,
    build_status_list_credential,
    is_set_for,
    random_free_index,
)
from tests.certification.test_credential import verify_independently

LIST_URL = "https://lms.example.jp/credentials/status/revocation"
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def raw_bits(encoded: str) -> bytes:
    """Decode an encodedList without our code: strip 'u', base64url, gunzip."""
    assert encoded.startswith("u")
    body = encoded[1:]
    assert "=" not in body
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_new_list_has_the_minimum_size_and_is_all_zero() -> None:
    status = StatusList.new()
    assert status.size == MIN_BITS == 131_072
    assert raw_bits(status.encode()) == bytes(MIN_BITS // 8)


def test_empty_list_encodes_small_and_deterministically() -> None:
    assert StatusList.new().encode() == StatusList.new().encode()
    assert len(StatusList.new().encode()) < 200


@pytest.mark.parametrize("size", [MIN_BITS - 8, MIN_BITS + 1, 0])
def test_list_smaller_than_the_minimum_or_not_whole_bytes_is_refused(size: int) -> None:
    with pytest.raises(ValueError, match="at least"):
        StatusList.new(size)


def test_bit_zero_is_the_leftmost_bit_of_the_first_byte() -> None:
    status = StatusList.from_indices([0, 9, MIN_BITS - 1])
    decoded = raw_bits(status.encode())
    assert decoded[0] == 0b1000_0000
    assert decoded[1] == 0b0100_0000
    assert decoded[-1] == 0b0000_0001


@pytest.mark.parametrize("index", [0, 1, 7, 8, 9, 4242, 65_535, 65_536, 100_003, MIN_BITS - 2, MIN_BITS - 1])
def test_revocation_flips_exactly_one_bit(index: int) -> None:
    before = raw_bits(StatusList.new().encode())
    status = StatusList.decode(StatusList.new().encode())
    status.set(index)
    after = raw_bits(status.encode())
    flipped = [
        byte * 8 + bit for byte in range(len(before)) if before[byte] != after[byte] for bit in range(8)
        if (before[byte] ^ after[byte]) & (0x80 >> bit)
    ]
    assert flipped == [index]
    assert StatusList.decode(status.encode()).get(index)


def test_set_and_clear_round_trip() -> None:
    status = StatusList.from_indices([3, 4242, 100_000])
    assert status.set_indices() == [3, 4242, 100_000]
    status.set(4242, False)
    assert status.set_indices() == [3, 100_000]
    assert StatusList.decode(status.encode()).set_indices() == [3, 100_000]


@pytest.mark.parametrize("index", [-1, MIN_BITS, True, "3"])
def test_index_outside_the_list_is_refused(index: object) -> None:
    with pytest.raises(IndexError):
        StatusList.new().set(index)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "z123",  # base58btc is not this list's multibase
        # gzip output embeds the time, so fixed mtime keeps these ids the same in every xdist worker.
        "u" + base64.urlsafe_b64encode(gzip.compress(bytes(16), mtime=0)).decode(),  # padded ('=')
        "u" + base64.urlsafe_b64encode(b"not gzip").decode().rstrip("="),
        "u" + base64.urlsafe_b64encode(gzip.compress(bytes(16), mtime=0)).decode().rstrip("="),  # too short
        "u!!!",
    ],
    ids=["empty", "base58btc", "padded", "not-gzip", "too-short", "not-base64"],
)
def test_malformed_encoded_list_is_refused(encoded: str) -> None:
    with pytest.raises(StatusListError):
        StatusList.decode(encoded)


def test_random_free_index_avoids_used_ones() -> None:
    used = set(range(MIN_BITS)) - {77}
    assert random_free_index(used) == 77
    with pytest.raises(StatusListError, match="full"):
        random_free_index(set(range(MIN_BITS)))


def test_status_list_credential_shape(issuer: Issuer) -> None:
    credential = build_status_list_credential(LIST_URL, issuer.id, StatusList.new(), valid_from=NOW)
    assert credential["@context"] == [VC_CONTEXT]
    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert credential["id"] == LIST_URL
    assert credential["issuer"] == issuer.id
    assert credential["validFrom"] == "2026-11-21T12:00:00Z"
    subject = credential["credentialSubject"]
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "revocation"
    assert subject["id"] == f"{LIST_URL}#list"
    assert subject["encodedList"].startswith("u")


def test_revocation_is_visible_through_the_signed_status_list(
    vc: dict, issuer: Issuer, keyring: keys.KeyRing
) -> None:
    """End to end, as a verifier: fetch the credential and the status list (both VC-JWT), verify both with the
    JWK Set, then read the bit the credential points at; revoke, republish, read again."""
    credential_jwt = sign(vc, keyring)
    entry = verify(credential_jwt, keyring.jwks()).credential["credentialStatus"]
    index = int(entry["statusListIndex"])

    def publish(revoked: set[int]) -> str:
        status = StatusList.from_indices(revoked)
        return sign(build_status_list_credential(LIST_URL, issuer.id, status, valid_from=NOW), keyring)

    before = publish({1, 2, 3})
    assert is_set_for(entry, verify(before, keyring.jwks()).credential) is False

    after = publish({1, 2, 3, index})
    status_credential = verify(after, keyring.jwks()).credential
    assert is_set_for(entry, status_credential) is True
    independent = verify_independently(after, keyring.jwks())
    bits_before = raw_bits(verify_independently(before, keyring.jwks())["credentialSubject"]["encodedList"])
    bits_after = raw_bits(independent["credentialSubject"]["encodedList"])
    diff = [i for i in range(len(bits_before)) if bits_before[i] != bits_after[i]]
    assert diff == [index // 8]
    assert bits_before[index // 8] ^ bits_after[index // 8] == 0x80 >> (index % 8)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "StatusList2021Entry"}, "BitstringStatusListEntry"),
        ({"statusListCredential": "https://elsewhere.example/list"}, "different status list"),
        ({"statusPurpose": "suspension"}, "purposes differ"),
        ({"statusListIndex": 5}, "string of digits"),
        ({"statusListIndex": "-5"}, "string of digits"),
        ({"statusListIndex": str(MIN_BITS)}, "outside"),
    ],
)
def test_bad_status_entry_is_refused(vc: dict, issuer: Issuer, change: dict, message: str) -> None:
    credential = build_status_list_credential(LIST_URL, issuer.id, StatusList.new(), valid_from=NOW)
    entry = vc["credentialStatus"] | change
    with pytest.raises(StatusListError, match=message):
        is_set_for(entry, credential)
