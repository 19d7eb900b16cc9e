import pytest
from motcua.settings import Env, SettingsError
from notification.settings import Settings

LOCAL = {"MOTCUA_ZNS_ACCESS_TOKEN": "t", "MOTCUA_SMS_API_KEY": "k",
         "MOTCUA_ZNS_TEMPLATE_IDS": "received=1,assigned=2,result_ready=3"}


def load(environ: dict[str, str]) -> Settings:
    return Settings.from_env(Env(environ))


def test_the_default_order_is_zns_then_sms_then_email():
    settings = load(LOCAL)
    assert settings.channels == ("zns", "sms", "email")
    assert settings.zns.template_ids == {"received": "1", "assigned": "2", "result_ready": "3"}
    assert settings.sms.url == "http://127.0.0.1:2531" and settings.sms.brandname == "MOTCUA"
    assert settings.retry.attempts == 5 and settings.retry.first_delay == 5.0


def test_channels_not_listed_need_no_settings():
    settings = load({"MOTCUA_NOTIFICATION_CHANNELS": "email"})
    assert settings.channels == ("email",) and settings.zns is None and settings.sms is None


@pytest.mark.parametrize(("environ", "variable"), [
    ({"MOTCUA_NOTIFICATION_CHANNELS": "zalo,email"}, "MOTCUA_NOTIFICATION_CHANNELS"),
    ({"MOTCUA_NOTIFICATION_CHANNELS": "email,email"}, "MOTCUA_NOTIFICATION_CHANNELS"),
    ({"MOTCUA_NOTIFICATION_CHANNELS": "sms"}, "MOTCUA_SMS_API_KEY"),
    ({"MOTCUA_NOTIFICATION_CHANNELS": "zns"}, "MOTCUA_ZNS_ACCESS_TOKEN"),
    ({**LOCAL, "MOTCUA_ZNS_TEMPLATE_IDS": "received=1,assigned"}, "MOTCUA_ZNS_TEMPLATE_IDS"),
    ({**LOCAL, "MOTCUA_NOTIFICATION_RATING_URL": "ftp://x/{code}"}, "MOTCUA_NOTIFICATION_RATING_URL"),
    ({**LOCAL, "MOTCUA_ZNS_TEMPLATE_IDS": "received=1,assigned=2,result_ready=3,overdue=4"}, "MOTCUA_ZNS_TEMPLATE_IDS"),
    ({**LOCAL, "MOTCUA_ZNS_TEMPLATE_IDS": "received=1,received=2"}, "MOTCUA_ZNS_TEMPLATE_IDS"),
    ({**LOCAL, "MOTCUA_ZNS_URL": "business.openapi.zalo.me"}, "MOTCUA_ZNS_URL"),
    ({**LOCAL, "MOTCUA_SMS_URL": "ftp://sms"}, "MOTCUA_SMS_URL"),
    ({**LOCAL, "MOTCUA_SMS_BRANDNAME": "UBND PHUONG HAC THANH"}, "MOTCUA_SMS_BRANDNAME"),
    ({**LOCAL, "MOTCUA_SMS_PROVIDER": "viettel sms"}, "MOTCUA_SMS_PROVIDER"),
    ({**LOCAL, "MOTCUA_SMTP_USERNAME": "motcua"}, "MOTCUA_SMTP_PASSWORD"),
    ({**LOCAL, "MOTCUA_NOTIFICATION_RETRY_ATTEMPTS": "0"}, "MOTCUA_NOTIFICATION_RETRY_ATTEMPTS"),
    ({**LOCAL, "MOTCUA_NOTIFICATION_RETRY_FIRST_MS": "9000", "MOTCUA_NOTIFICATION_RETRY_MAX_MS": "1000"},
     "MOTCUA_NOTIFICATION_RETRY_MAX_MS"),
    ({**LOCAL, "MOTCUA_ZNS_TIMEOUT_SECONDS": "0"}, "MOTCUA_ZNS_TIMEOUT_SECONDS"),
])
def test_a_bad_setting_names_its_variable(environ, variable):
    with pytest.raises(SettingsError, match=variable):
        load(environ)


@pytest.mark.parametrize(("variable", "value"), [
    ("MOTCUA_NOTIFICATION_QUIET_HOURS", "22-07"), ("MOTCUA_NOTIFICATION_QUIET_HOURS", "22:00-24:00"),
    ("MOTCUA_NOTIFICATION_RATE_LIMITS", "zalo"), ("MOTCUA_NOTIFICATION_RATE_LIMITS", "zalo=0"),
    ("MOTCUA_NOTIFICATION_RATE_LIMITS", "zalo=5,zalo=6"),
    ("MOTCUA_NOTIFICATION_CALLBACK_SECRETS", "zalo=short"),
    ("MOTCUA_NOTIFICATION_CALLBACK_WINDOW_SECONDS", "5"),
])
def test_bad_pacing_settings_name_their_variable(variable, value):
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env(Env({**LOCAL, variable: value}))


def test_pacing_settings_default_to_night_quiet_hours_and_no_limits():
    settings = Settings.from_env(Env(LOCAL))
    assert (settings.quiet_hours.start.hour, settings.quiet_hours.end.hour, settings.rate_limits) == (22, 7, {})
    assert Settings.from_env(Env({**LOCAL, "MOTCUA_NOTIFICATION_RATE_LIMITS": "zalo=50"})).rate_limits == {"zalo": 50}


def test_sms_over_smpp_needs_a_system_id_and_a_short_password():
    smpp = {**LOCAL, "MOTCUA_SMS_TRANSPORT": "smpp", "MOTCUA_SMPP_SYSTEM_ID": "ubnd", "MOTCUA_SMPP_PASSWORD": "pw-12345"}
    settings = Settings.from_env(Env(smpp))
    assert (settings.sms.system_id, settings.sms.port, settings.sms.source_addr) == ("ubnd", 2775, "MOTCUA")
    for variable, value in (("MOTCUA_SMPP_PASSWORD", "longer-than-8"), ("MOTCUA_SMPP_SYSTEM_ID", ""),
                            ("MOTCUA_SMS_TRANSPORT", "carrier-pigeon")):
        with pytest.raises(SettingsError, match=variable):
            Settings.from_env(Env({**smpp, variable: value}))
