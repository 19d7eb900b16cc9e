import os
from pathlib import Path

import pytest
from motcua.settings import CommonSettings, Env, KafkaSettings, SettingsError


def load(environ: dict[str, str]) -> CommonSettings:
    return CommonSettings.from_env("intake", http_port=8081, grpc_port=50051, env=Env(environ))


def test_defaults_apply_when_the_environment_is_empty():
    settings = load({})
    assert settings.service == "intake"
    assert settings.kafka == KafkaSettings(bootstrap_servers="127.0.0.1:9092", security_protocol="PLAINTEXT")
    assert settings.mongo_url == "mongodb://127.0.0.1:27017/"
    assert settings.topic_prefix == ""
    assert settings.database_prefix == ""
    assert settings.log_level == "INFO"
    assert settings.jwt_public_key is None
    assert settings.http_port == 8081
    assert settings.grpc_port == 50051
    assert (settings.consumers, settings.consumer_threads, settings.inbox_retention_days) == (3, 4, 30)


def test_the_environment_overrides_the_defaults():
    settings = load({
        "MOTCUA_INTAKE_HTTP_PORT": "9000", "MOTCUA_INTAKE_GRPC_PORT": "9001", "MOTCUA_LOG_LEVEL": "debug",
        "MONGO_URL": "mongodb+srv://db.example/", "MOTCUA_TOPIC_PREFIX": "t1", "MOTCUA_CONSUMER_THREADS": "16",
    })
    assert settings.consumer_threads == 16
    assert (settings.http_port, settings.grpc_port) == (9000, 9001)
    assert settings.log_level == "DEBUG"
    assert settings.mongo_url == "mongodb+srv://db.example/"
    assert settings.topic_prefix == "t1"


@pytest.mark.parametrize("value", ["abc", "70000", "0"])
def test_a_bad_port_names_the_variable(value):
    with pytest.raises(SettingsError, match="MOTCUA_INTAKE_HTTP_PORT"):
        load({"MOTCUA_INTAKE_HTTP_PORT": value})


@pytest.mark.parametrize("value", ["0", "65", "many"])
def test_a_bad_number_of_consumer_threads_names_the_variable(value):
    with pytest.raises(SettingsError, match="MOTCUA_CONSUMER_THREADS"):
        load({"MOTCUA_CONSUMER_THREADS": value})


@pytest.mark.parametrize("value", ["7", "0", "a month"])
def test_an_inbox_retention_not_longer_than_the_topics_is_refused(value):
    with pytest.raises(SettingsError, match="MOTCUA_INBOX_RETENTION_DAYS"):
        load({"MOTCUA_INBOX_RETENTION_DAYS": value})


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


def kafka(environ: dict[str, str]) -> KafkaSettings:
    return KafkaSettings.from_env(Env(environ))


@pytest.fixture
def pem_files(tmp_path: Path) -> dict[str, str]:
    files = {}
    for name in ("ca.crt", "user.crt", "user.key"):
        (tmp_path / name).write_text("-----BEGIN CERTIFICATE-----\n")
        files[name] = str(tmp_path / name)
    return files


def test_kafka_defaults_to_plain_text_without_credentials():
    assert kafka({"KAFKA_BOOTSTRAP_SERVERS": "k1:9092,k2:9092"}).client_options() == {
        "bootstrap_servers": ["k1:9092", "k2:9092"], "security_protocol": "PLAINTEXT"}


def test_kafka_sasl_over_tls_gives_every_client_option(pem_files):
    settings = kafka({"MOTCUA_KAFKA_SECURITY_PROTOCOL": "sasl_ssl", "MOTCUA_KAFKA_SSL_CAFILE": pem_files["ca.crt"],
                      "MOTCUA_KAFKA_SASL_MECHANISM": "scram-sha-512", "MOTCUA_KAFKA_SASL_USERNAME": "motcua",
                      "MOTCUA_KAFKA_SASL_PASSWORD": "s3cret"})
    assert settings.client_options() == {
        "bootstrap_servers": ["127.0.0.1:9092"], "security_protocol": "SASL_SSL", "ssl_cafile": pem_files["ca.crt"],
        "sasl_mechanism": "SCRAM-SHA-512", "sasl_plain_username": "motcua", "sasl_plain_password": "s3cret"}
    assert "s3cret" not in repr(settings)


def test_kafka_mutual_tls_passes_the_client_certificate_and_key(pem_files):
    options = kafka({"MOTCUA_KAFKA_SECURITY_PROTOCOL": "SSL", "MOTCUA_KAFKA_SSL_CERTFILE": pem_files["user.crt"],
                     "MOTCUA_KAFKA_SSL_KEYFILE": pem_files["user.key"]}).client_options()
    assert (options["ssl_certfile"], options["ssl_keyfile"]) == (pem_files["user.crt"], pem_files["user.key"])
    assert "ssl_cafile" not in options and "sasl_mechanism" not in options


@pytest.mark.parametrize(("environ", "message"), [
    ({"MOTCUA_KAFKA_SECURITY_PROTOCOL": "TLS"},
     "MOTCUA_KAFKA_SECURITY_PROTOCOL must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL, got 'TLS'"),
    ({"MOTCUA_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT", "MOTCUA_KAFKA_SASL_MECHANISM": "GSSAPI",
      "MOTCUA_KAFKA_SASL_USERNAME": "u", "MOTCUA_KAFKA_SASL_PASSWORD": "p"},
     "MOTCUA_KAFKA_SASL_MECHANISM must be one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, got 'GSSAPI'"),
    ({"MOTCUA_KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "MOTCUA_KAFKA_SASL_MECHANISM": "PLAIN",
      "MOTCUA_KAFKA_SASL_PASSWORD": "p"},
     "MOTCUA_KAFKA_SASL_USERNAME is required with MOTCUA_KAFKA_SECURITY_PROTOCOL=SASL_SSL"),
    ({"MOTCUA_KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "MOTCUA_KAFKA_SASL_MECHANISM": "PLAIN",
      "MOTCUA_KAFKA_SASL_USERNAME": "u"},
     "MOTCUA_KAFKA_SASL_PASSWORD is required with MOTCUA_KAFKA_SECURITY_PROTOCOL=SASL_SSL"),
    ({"MOTCUA_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT", "MOTCUA_KAFKA_SASL_USERNAME": "u",
      "MOTCUA_KAFKA_SASL_PASSWORD": "p"},
     "MOTCUA_KAFKA_SASL_MECHANISM is required with MOTCUA_KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT"),
    ({"MOTCUA_KAFKA_SASL_MECHANISM": "PLAIN", "MOTCUA_KAFKA_SASL_USERNAME": "u", "MOTCUA_KAFKA_SASL_PASSWORD": "p"},
     "MOTCUA_KAFKA_SASL_MECHANISM is set but MOTCUA_KAFKA_SECURITY_PROTOCOL=PLAINTEXT does not authenticate"),
], ids=["protocol", "mechanism", "no-username", "no-password", "no-mechanism", "sasl-without-protocol"])
def test_kafka_refuses_bad_values_and_incomplete_sasl(environ, message):
    with pytest.raises(SettingsError) as raised:
        kafka(environ)
    assert str(raised.value).startswith(message)


def test_kafka_refuses_a_certificate_without_its_key(pem_files):
    with pytest.raises(SettingsError, match="^MOTCUA_KAFKA_SSL_KEYFILE is required with MOTCUA_KAFKA_SSL_CERTFILE"):
        kafka({"MOTCUA_KAFKA_SECURITY_PROTOCOL": "SSL", "MOTCUA_KAFKA_SSL_CERTFILE": pem_files["user.crt"]})
    with pytest.raises(SettingsError, match="^MOTCUA_KAFKA_SSL_CERTFILE is required with MOTCUA_KAFKA_SSL_KEYFILE"):
        kafka({"MOTCUA_KAFKA_SECURITY_PROTOCOL": "SSL", "MOTCUA_KAFKA_SSL_KEYFILE": pem_files["user.key"]})


def test_kafka_refuses_tls_files_without_tls(pem_files):
    with pytest.raises(SettingsError, match="^MOTCUA_KAFKA_SSL_CAFILE is set but MOTCUA_KAFKA_SECURITY_PROTOCOL="
                                            "SASL_PLAINTEXT uses no TLS"):
        kafka({"MOTCUA_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT", "MOTCUA_KAFKA_SSL_CAFILE": pem_files["ca.crt"],
               "MOTCUA_KAFKA_SASL_MECHANISM": "PLAIN", "MOTCUA_KAFKA_SASL_USERNAME": "u",
               "MOTCUA_KAFKA_SASL_PASSWORD": "p"})


def test_kafka_refuses_a_missing_or_unreadable_file(tmp_path: Path, pem_files):
    with pytest.raises(SettingsError, match=f"^MOTCUA_KAFKA_SSL_CAFILE points at {tmp_path}/none.crt, which is not a file"):
        kafka({"MOTCUA_KAFKA_SECURITY_PROTOCOL": "SSL", "MOTCUA_KAFKA_SSL_CAFILE": str(tmp_path / "none.crt")})
    with pytest.raises(SettingsError, match="^MOTCUA_KAFKA_SSL_CAFILE points at .*, which is not a file"):
        kafka({"MOTCUA_KAFKA_SECURITY_PROTOCOL": "SSL", "MOTCUA_KAFKA_SSL_CAFILE": str(tmp_path)})
    Path(pem_files["user.key"]).chmod(0)
    if os.access(pem_files["user.key"], os.R_OK):
        pytest.skip("running as root: every file is readable")
    with pytest.raises(SettingsError, match="^MOTCUA_KAFKA_SSL_KEYFILE points at .*user.key, which this process may not read"):
        kafka({"MOTCUA_KAFKA_SECURITY_PROTOCOL": "SSL", "MOTCUA_KAFKA_SSL_CERTFILE": pem_files["user.crt"],
               "MOTCUA_KAFKA_SSL_KEYFILE": pem_files["user.key"]})


def test_common_settings_carry_the_kafka_settings():
    settings = load({"KAFKA_BOOTSTRAP_SERVERS": "kafka:9093", "MOTCUA_KAFKA_SECURITY_PROTOCOL": "SSL"})
    assert settings.kafka.bootstrap_servers == "kafka:9093" and settings.kafka.security_protocol == "SSL"
