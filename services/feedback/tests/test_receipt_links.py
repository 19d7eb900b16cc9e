from datetime import UTC, datetime
from typing import Any, cast

import pytest
from feedback.links import RatingLinks
from feedback.service import FeedbackService, LinkSettings
from feedback.settings import Settings
from motcua.auth import Principal
from motcua.errors import Forbidden, InvalidInput
from motcua.settings import Env, SettingsError

CODE = "000.00.12.H56-260302-0001"
APPOINTMENT = datetime(2026, 3, 5, 9, 30, 15, 250000, tzinfo=UTC)
INTAKE = Principal(sub="intake", agency="", department="", roles=frozenset({"service"}))


def service(issuers: frozenset[str] = frozenset({"intake"})) -> FeedbackService:
    """The service as far as links go: minting one reads no database."""
    settings = LinkSettings(public_url="https://danhgia.example.vn", days=30, kiosk_seconds=600, rate_limit=30,
                            issuers=issuers)
    return FeedbackService(repo=cast(Any, None), kick=lambda *_: None, links=RatingLinks(b"k" * 32),
                           policies=cast(Any, None), settings=settings)


def test_the_receipts_link_is_the_link_minted_for_the_dossier():
    link = service().link_for_receipt(INTAKE, CODE, APPOINTMENT)
    assert link == service().rating_link(CODE, APPOINTMENT.replace(microsecond=0))
    assert link.url.startswith(f"https://danhgia.example.vn/r/{CODE}?t=")
    assert link.qr_url == link.url.replace("?t=", "/qr.svg?t=")
    assert link.expires_at == datetime(2026, 4, 4, 9, 30, 15, tzinfo=UTC)
    token = link.url.split("?t=")[1]
    assert RatingLinks(b"k" * 32).verify(token, CODE, APPOINTMENT).expires_at == link.expires_at


@pytest.mark.parametrize("principal", [
    Principal(sub="intake", agency="000.00.12.H56", department="", roles=frozenset({"clerk"})),
    Principal(sub="routing", agency="", department="", roles=frozenset({"service"})),
])
def test_only_allowed_platform_services_get_links(principal):
    with pytest.raises(Forbidden) as refused:
        service().link_for_receipt(principal, CODE, APPOINTMENT)
    assert refused.value.reason == "NOT_A_LINK_ISSUER"
    assert service(frozenset({"intake", "routing"})).link_for_receipt(
        Principal(sub="routing", agency="", department="", roles=frozenset({"service"})), CODE, APPOINTMENT)


@pytest.mark.parametrize(("code", "appointment", "pointers"), [
    ("H56-1", APPOINTMENT, ["/dossier_code"]),
    (CODE + "\n", APPOINTMENT, ["/dossier_code"]),
    (CODE, None, ["/appointment_at"]),
    ("", None, ["/dossier_code", "/appointment_at"]),
])
def test_bad_input_names_every_field(code, appointment, pointers):
    with pytest.raises(InvalidInput) as refused:
        service().link_for_receipt(INTAKE, code, appointment)
    assert [e.pointer for e in refused.value.errors] == pointers


def test_issuers_setting():
    env = {"MOTCUA_FEEDBACK_LINK_SECRET": "s" * 32}
    assert Settings.from_env(Env(env)).link_issuers == frozenset({"intake"})
    both = Settings.from_env(Env({**env, "MOTCUA_FEEDBACK_LINK_ISSUERS": "intake, routing"}))
    assert both.link_issuers == frozenset({"intake", "routing"})
    for bad in ("", "intake,,routing", "intake routing"):
        with pytest.raises(SettingsError, match="MOTCUA_FEEDBACK_LINK_ISSUERS"):
            Settings.from_env(Env({**env, "MOTCUA_FEEDBACK_LINK_ISSUERS": bad}))
