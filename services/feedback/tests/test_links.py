import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
from feedback.links import RatingLinks
from motcua.errors import Forbidden, Unauthenticated

CODE = "000.00.12.H56-260302-0001"
NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
LINKS = RatingLinks(b"k" * 32)


def test_a_minted_link_verifies_for_its_dossier_until_it_expires():
    token = LINKS.mint(CODE, NOW + timedelta(days=1))
    claim = LINKS.verify(token, CODE, NOW)
    assert (claim.dossier_code, claim.nonce, claim.expires_at) == (CODE, "", NOW + timedelta(days=1))
    with pytest.raises(Unauthenticated) as expired:
        LINKS.verify(token, CODE, NOW + timedelta(days=1))
    assert expired.value.reason == "LINK_EXPIRED"


def test_a_link_for_another_dossier_is_forbidden():
    token = LINKS.mint("000.00.12.H56-260302-0002", NOW + timedelta(days=1))
    with pytest.raises(Forbidden) as caught:
        LINKS.verify(token, CODE, NOW)
    assert caught.value.reason == "LINK_OTHER_DOSSIER"


@pytest.mark.parametrize("token", ["", "abc", "abc.def", "!!!.x"])
def test_malformed_tokens_are_invalid(token):
    with pytest.raises(Unauthenticated) as caught:
        LINKS.verify(token, CODE, NOW)
    assert caught.value.reason == "LINK_INVALID"


def test_a_token_signed_with_another_key_or_altered_is_invalid():
    foreign = RatingLinks(b"x" * 32).mint(CODE, NOW + timedelta(days=1))
    payload, signature = LINKS.mint(CODE, NOW + timedelta(days=1)).split(".")
    longer = LINKS.mint(CODE, NOW + timedelta(days=9)).split(".")[0]
    for token in (foreign, f"{longer}.{signature}"):
        with pytest.raises(Unauthenticated) as caught:
            LINKS.verify(token, CODE, NOW)
        assert caught.value.reason == "LINK_INVALID"
    assert LINKS.verify(f"{payload}.{signature}", CODE, NOW).dossier_code == CODE


def test_one_dossier_and_expiry_always_give_the_same_token():
    expires_at = NOW + timedelta(days=30)
    token = LINKS.mint(CODE, expires_at)
    assert RatingLinks(b"k" * 32).mint(CODE, expires_at.replace(microsecond=999)) == token
    assert LINKS.mint(CODE, expires_at + timedelta(seconds=1)) != token
    assert LINKS.mint("000.00.12.H56-260302-0002", expires_at) != token


def test_a_token_minted_with_the_event_id_as_nonce_still_verifies():
    expires_at = NOW + timedelta(days=30)
    payload = f"{CODE}|{int(expires_at.timestamp())}|6f1c1e0e-8a39-4d43-9d4c-2f0b1f1f0a11".encode()
    signature = hmac.new(b"k" * 32, payload, hashlib.sha256).digest()
    token = ".".join(base64.urlsafe_b64encode(part).decode().rstrip("=") for part in (payload, signature))
    claim = LINKS.verify(token, CODE, NOW)
    assert (claim.expires_at, claim.nonce) == (expires_at, "6f1c1e0e-8a39-4d43-9d4c-2f0b1f1f0a11")
