from pathlib import Path

import pytest
from motcua.settings import CommonSettings, Env, SettingsError


def load(environ: dict[str, str]) -> CommonSettings:
    return CommonSettings.from_env("intake", http_port=8081, grpc_port=50051, env=Env(environ))


def test_defaults_apply_when_the_environment_is_empty():
    settings = load({})
    assert settings.service == "intake"
    assert settings.kafka_bootstrap_servers == "127.0.0.1:9092"
    assert settings.mongo_url == "mongodb://127.0.0.1:27017/"
    assert settings.topic_prefix == ""
    assert settings.database_prefix == ""
    assert settings.log_level == "INFO"
    assert settings.jwt_public_key is None
    assert settings.http_port == 8081
    assert settings.grpc_port == 50051


def test_the_environment_overrides_the_defaults():
    settings = load({
        "MOTCUA_INTAKE_HTTP_PORT": "9000", "MOTCUA_INTAKE_GRPC_PORT": "9001", "MOTCUA_LOG_LEVEL": "debug",
        "MONGO_URL": "mongodb+srv://db.example/", "MOTCUA_TOPIC_PREFIX": "t1",
    })
    assert (settings.http_port, settings.grpc_port) == (9000, 9001)
    assert settings.log_level == "DEBUG"
    assert settings.mongo_url == "mongodb+srv://db.example/"
    assert settings.topic_prefix == "t1"


@pytest.mark.parametrize("value", ["abc", "70000", "0"])
def test_a_bad_port_names_the_variable(value):
    with pytest.raises(SettingsError, match="MOTCUA_INTAKE_HTTP_PORT"):
        load({"MOTCUA_INTAKE_HTTP_PORT": value})


def test_a_mongo_url_with_another_scheme_is_refused():
    with pytest.raises(SettingsError, match="MONGO_URL"):
        load({"MONGO_URL": "postgres://127.0.0.1/"})


def test_an_unknown_log_level_is_refused():
    with pytest.raises(SettingsError, match="MOTCUA_LOG_LEVEL"):
        load({"MOTCUA_LOG_LEVEL": "verbose"})


def test_a_jwt_public_key_that_does_not_exist_is_refused(tmp_path: Path):
    with pytest.raises(SettingsError, match="MOTCUA_JWT_PUBLIC_KEY"):
        load({"MOTCUA_JWT_PUBLIC_KEY": str(tmp_path / "missing.pem")})


def test_an_existing_jwt_public_key_is_kept_as_a_path(tmp_path: Path):
    key = tmp_path / "jwt-public.pem"
    key.write_text("-----BEGIN PUBLIC KEY-----\n")
    assert load({"MOTCUA_JWT_PUBLIC_KEY": str(key)}).jwt_public_key == key


@pytest.mark.parametrize(("raw", "expected"), [("yes", True), ("0", False), ("", True)])
def test_env_bool_reads_the_usual_spellings(raw, expected):
    assert Env({"FLAG": raw}).bool("FLAG", True) is expected


def test_env_bool_refuses_other_words():
    with pytest.raises(SettingsError, match="FLAG"):
        Env({"FLAG": "maybe"}).bool("FLAG", False)


def test_env_address_needs_host_and_port():
    assert Env({"ADDR": "routing:50052"}).address("ADDR", "x:1") == "routing:50052"
    with pytest.raises(SettingsError, match="ADDR"):
        Env({"ADDR": "routing"}).address("ADDR", "x:1")
