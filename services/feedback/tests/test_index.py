import json

import pytest
from feedback.index import parse_rules, score
from motcua.settings import SettingsError

RULES = parse_rules(None, "default")


def test_the_default_rules_share_out_the_100_points_of_decision_766():
    assert {g.name: g.points for g in RULES} == {
        "transparency": 18, "progress": 20, "online": 22, "digitisation": 22, "satisfaction": 18}


def test_measured_parts_earn_their_share_and_missing_ones_are_named():
    counters = {"received": 10, "received_online": 4, "completed": 8, "on_time": 6, "results_signed": 12,
                "ratings": 5, "satisfied": 5}
    index = score(RULES, counters)
    groups = {g["name"]: g for g in index["groups"]}
    assert groups["progress"]["score"] == 15.0                 # 20 x 6/8
    assert groups["online"]["score"] == 4.8                    # 12 x 4/10; payment not recorded
    assert groups["digitisation"]["score"] == 8.0              # 8 x min(12/8, 1)
    assert groups["satisfaction"]["score"] == 6.0              # 6 x 5/5; no complaints answered or rated
    assert index["score"] == 33.8 and index["measured_points"] == 46
    reasons = {m["part"]: m["reason"] for m in index["missing"]}
    assert reasons["complaints_on_time"] == reasons["complaint_handling"] == "no_data"
    assert reasons["online_payment"] == "not_recorded"


def test_rules_come_from_configuration():
    rules = parse_rules(json.dumps({"groups": [{"name": "progress", "label": "Tiến độ", "parts": [
        {"name": "on_time", "label": "Đúng hạn", "points": 50, "numerator": "on_time", "denominator": "completed"}]}]}),
        "X")
    assert score(rules, {"completed": 4, "on_time": 1})["score"] == 12.5


@pytest.mark.parametrize("text", ["{", "{}", '{"groups": [{"name": "x"}]}',
                                  '{"groups": [{"name": "x", "label": "x", "parts": []}]}'])
def test_bad_rules_name_the_variable(text):
    with pytest.raises(SettingsError, match="^X:"):
        parse_rules(text, "X")
