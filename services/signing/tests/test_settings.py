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
