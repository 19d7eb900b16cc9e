from pathlib import Path

import pytest
from motcua import devtoken
from motcua.auth import Principal, TokenVerifier
from motcua.errors import Forbidden, Unauthenticated


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> tuple[bytes, bytes]:
    private, public = devtoken.keygen(tmp_path_factory.mktemp("keys"))
    return private.read_bytes(), public.read_bytes()


@pytest.fixture(scope="module")
def verifier(keys) -> TokenVerifier:
    return TokenVerifier(keys[1])


def test_a_dev_token_verifies_into_a_principal(keys, verifier):
    token = devtoken.token(keys[0], sub="clerk-1", roles=["clerk", "officer"], agency="000.00.12.H56",
                           department="tiep-nhan", name="Trần Thị Bình")
    principal = verifier.verify(token)
    assert principal.sub == "clerk-1"
    assert principal.roles == frozenset({"clerk", "officer"})
    assert principal.agency == "000.00.12.H56"
    assert principal.department == "tiep-nhan"
    assert principal.name == "Trần Thị Bình"


def test_from_header_reads_a_bearer_token(keys, verifier):
    token = devtoken.token(keys[0], sub="citizen-1", roles=["citizen"])
    assert verifier.from_header(f"Bearer {token}").sub == "citizen-1"


def test_an_expired_token_is_refused_with_token_expired(keys, verifier):
    token = devtoken.token(keys[0], sub="clerk-1", roles=["clerk"], ttl=-100)
    with pytest.raises(Unauthenticated) as caught:
        verifier.verify(token)
    assert caught.value.reason == "TOKEN_EXPIRED"
    assert caught.value.http_status == 401


def test_a_token_signed_by_another_key_is_refused(tmp_path: Path, verifier):
    other_private, _ = devtoken.keygen(tmp_path / "other")
    token = devtoken.token(other_private.read_bytes(), sub="clerk-1", roles=["clerk"])
    with pytest.raises(Unauthenticated) as caught:
        verifier.verify(token)
    assert caught.value.reason == "TOKEN_INVALID"


def test_a_tampered_token_is_refused(keys, verifier):
    token = devtoken.token(keys[0], sub="clerk-1", roles=["clerk"])
    header, payload, signature = token.split(".")
    with pytest.raises(Unauthenticated):
        verifier.verify(f"{header}.{payload}.{signature[:-4]}AAAA")


def test_a_missing_header_is_refused(verifier):
    with pytest.raises(Unauthenticated) as caught:
        verifier.from_header(None)
    assert caught.value.reason == "TOKEN_MISSING"


def test_a_header_of_another_scheme_is_refused(keys, verifier):
    token = devtoken.token(keys[0], sub="clerk-1", roles=["clerk"])
    with pytest.raises(Unauthenticated):
        verifier.from_header(f"Basic {token}")


def test_keygen_keeps_an_existing_key_pair(tmp_path: Path):
    first = devtoken.keygen(tmp_path)
    before = first[0].read_bytes()
    assert devtoken.keygen(tmp_path) == first
    assert first[0].read_bytes() == before


def test_require_refuses_a_principal_without_the_role():
    principal = Principal(sub="citizen-1", agency="", department="", roles=frozenset({"citizen"}))
    with pytest.raises(Forbidden) as caught:
        principal.require("clerk", "officer")
    assert caught.value.reason == "ROLE_REQUIRED"
    assert caught.value.http_status == 403


def test_require_accepts_any_one_of_the_roles():
    principal = Principal(sub="officer-1", agency="", department="", roles=frozenset({"officer"}))
    principal.require("clerk", "officer")
