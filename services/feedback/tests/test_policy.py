import pytest
from feedback.policy import Policies, Policy, parse_policy
from feedback.service import Ballot, check_ballot
from motcua.errors import InvalidInput
from motcua.settings import SettingsError


def test_policies_parse_a_default_and_agencies_own_choices():
    policies = Policies.parse("5:overall,timeliness", "000.00.12.H56=3:attitude; 000.01.31.H56=5:", "P", "A")
    assert policies.of("elsewhere") == Policy(5, ("timeliness",))
    assert policies.of("000.00.12.H56") == Policy(3, ("attitude",))
    assert policies.of("000.01.31.H56") == Policy(5, ())


@pytest.mark.parametrize("text", ["4:overall", "5:speed", "x"])
def test_a_bad_policy_names_the_variable(text):
    with pytest.raises(SettingsError, match="^P:"):
        parse_policy(text, "P")


def test_an_agency_entry_without_a_policy_is_refused():
    with pytest.raises(SettingsError, match="^A:"):
        Policies.parse("5:", "000.00.12.H56", "P", "A")


@pytest.mark.parametrize(("scale", "low", "satisfied"), [(3, [1], [2, 3]), (5, [1, 2], [4, 5])])
def test_low_and_satisfied_levels_of_each_scale(scale, low, satisfied):
    policy = Policy(scale, ())
    assert [lv for lv in policy.levels if policy.is_low(lv)] == low
    assert [lv for lv in policy.levels if policy.is_satisfied(lv)] == satisfied


def test_a_ballot_on_the_agencys_scale_and_criteria_is_accepted():
    assert check_ballot(Ballot(level=3, criteria={"attitude": 1}), Policy(3, ("attitude",))) == (3, {"attitude": 1})


def test_every_bad_field_of_a_ballot_is_named_at_once():
    ballot = Ballot(level=4, criteria={"attitude": True, "speed": 1}, comment="x" * 2001)
    with pytest.raises(InvalidInput) as caught:
        check_ballot(ballot, Policy(3, ("attitude",)))
    assert [e.pointer for e in caught.value.errors] == ["/level", "/criteria/attitude", "/criteria/speed", "/comment"]
