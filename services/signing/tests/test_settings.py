"""Signing's settings: the key store chosen, and what it needs, named when missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from motcua.settings import Env, SettingsError
from signing.settings import PKCS11, PKCS12, Settings


def load(tmp_path: Path, **values: str) -> Settings:
    (tmp_path / "root.pem").touch()
    return Settings.from_env(Env({"MOTCUA_SIGNING_PKI_DIR": str(tmp_path), **values}))


def test_the_hsm_is_the_default_and_needs_its_module_and_pin(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="MOTCUA_SIGNING_PKCS11_MODULE"):
        load(tmp_path)
    module = tmp_path / "libpkcs11.so"
    module.write_bytes(b"")
    with pytest.raises(SettingsError, match="MOTCUA_SIGNING_PKCS11_PIN"):
        load(tmp_path, MOTCUA_SIGNING_PKCS11_MODULE=str(module))
    settings = load(tmp_path, MOTCUA_SIGNING_PKCS11_MODULE=str(module), MOTCUA_SIGNING_PKCS11_PIN="1234",
                    MOTCUA_SIGNING_PKCS11_LABEL="so-tu-phap")
    assert (settings.key_store, settings.pkcs11_module, settings.pkcs11_label, settings.pkcs11_pin) == (
        PKCS11, module, "so-tu-phap", "1234")


def test_files_need_no_hsm_settings(tmp_path: Path) -> None:
    settings = load(tmp_path, MOTCUA_SIGNING_KEY_STORE="pkcs12")
    assert settings.key_store == PKCS12 and settings.pkcs11_module is None


def test_an_unknown_key_store_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="MOTCUA_SIGNING_KEY_STORE"):
        load(tmp_path, MOTCUA_SIGNING_KEY_STORE="jks")


def test_the_level_follows_the_time_stamping_authority_unless_set(tmp_path: Path) -> None:
    files = {"MOTCUA_SIGNING_KEY_STORE": "PKCS12"}
    assert load(tmp_path, **files).level == "B-B"
    tsa = {**files, "MOTCUA_SIGNING_TSA_URL": "http://127.0.0.1:9780/tsa"}
    assert load(tmp_path, **tsa).level == "B-T"
    settings = load(tmp_path, **tsa, MOTCUA_SIGNING_LEVEL="b-lt", MOTCUA_SIGNING_OCSP_URL="http://127.0.0.1:9780/ocsp")
    assert (settings.level, settings.ocsp_url, settings.revocation_max_age) == ("B-LT", "http://127.0.0.1:9780/ocsp", 300)


@pytest.mark.parametrize(("values", "named"), [
    ({"MOTCUA_SIGNING_LEVEL": "B-LT"}, "MOTCUA_SIGNING_LEVEL=B-LT needs a time-stamping authority"),
    ({"MOTCUA_SIGNING_LEVEL": "B-B", "MOTCUA_SIGNING_TSA_URL": "http://tsa.vn"}, "MOTCUA_SIGNING_LEVEL=B-B"),
    ({"MOTCUA_SIGNING_LEVEL": "B-LTA"}, "MOTCUA_SIGNING_LEVEL must be one of"),
    ({"MOTCUA_SIGNING_LEVEL": "B-LT", "MOTCUA_SIGNING_TSA_URL": "http://tsa.vn", "MOTCUA_SIGNING_OCSP_URL": "ocsp"},
     "MOTCUA_SIGNING_OCSP_URL"),
])
def test_a_level_the_settings_cannot_give_is_refused_naming_the_variable(
        tmp_path: Path, values: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load(tmp_path, MOTCUA_SIGNING_KEY_STORE="PKCS12", **values)
