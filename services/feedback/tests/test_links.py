from datetime import UTC, datetime, timedelta

import pytest
from feedback.links import RatingLinks
from motcua.errors import Forbidden, Unauthenticated

CODE = "000.00.12.H56-260302-0001"
NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
LINKS = RatingLinks(b"k" * 32)


def test_a_minted_link_verifies_for_its_dossier_until_it_expires():
    token = LINKS.mint(CODE, NOW + timedelta(days=1), "n-1")
    claim = LINKS.verify(token, CODE, NOW)
    assert (claim.dossier_code, claim.nonce, claim.expires_at) == (CODE, "n-1", NOW + timedelta(days=1))
    with pytest.raises(Unauthenticated) as expired:
        LINKS.verify(token, CODE, NOW + timedelta(days=1))
    assert expired.value.reason == "LINK_EXPIRED"


def test_a_link_for_another_dossier_is_forbidden():
    token = LINKS.mint("000.00.12.H56-260302-0002", NOW + timedelta(days=1), "n")
    with pytest.raises(Forbidden) as caught:
        LINKS.verify(token, CODE, NOW)
    assert caught.value.reason == "LINK_OTHER_DOSSIER"


@pytest.mark.parametrize("token", ["", "abc", "abc.def", "!!!.x"])
def test_malformed_tokens_are_invalid(token):
    with pytest.raises(Unauthenticated) as caught:
        LINKS.verify(token, CODE, NOW)
    assert caught.value.reason == "LINK_INVALID"


def test_a_token_signed_with_another_key_or_altered_is_invalid():
    foreign = RatingLinks(b"x" * 32).mint(CODE, NOW + timedelta(days=1), "n")
    payload, signature = LINKS.mint(CODE, NOW + timedelta(days=1), "n").split(".")
    longer = LINKS.mint(CODE, NOW + timedelta(days=9), "n").split(".")[0]
    for token in (foreign, f"{longer}.{signature}"):
        with pytest.raises(Unauthenticated) as caught:
            LINKS.verify(token, CODE, NOW)
        assert caught.value.reason == "LINK_INVALID"
    assert LINKS.verify(f"{payload}.{signature}", CODE, NOW).nonce == "n"
