"""Workflow validation: the shipped workflows pass; each kind of mistake gets its own pointer and message."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pytest
from motcua.errors import InvalidInput
from routing import workflows

SHIPPED = json.loads(resources.files("routing").joinpath("workflows.json").read_text(encoding="utf-8"))["workflows"]
TWO_STEPS: dict[str, Any] = {"name": "Hai bước", "steps": [
    {"id": "tham-dinh", "name": "Thẩm định", "role": "officer", "share": 60, "actions": ["forward"]},
    {"id": "phe-duyet", "name": "Phê duyệt", "role": "leader", "share": 40, "actions": ["approve", "return"]},
]}


def pointers(workflow_id: str, body: Any) -> list[str]:
    with pytest.raises(InvalidInput) as refused:
        workflows.validate(workflow_id, body)
    return [e.pointer for e in refused.value.errors]


def changed(**steps: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(TWO_STEPS)
    for index, fields in steps.items():
        body["steps"][int(index.removeprefix("s"))].update(fields)
    return body


@pytest.mark.parametrize("workflow", SHIPPED, ids=lambda w: w["id"])
def test_the_shipped_workflows_are_valid(workflow: dict[str, Any]) -> None:
    saved = workflows.validate(workflow["id"], workflow)
    assert saved["_id"] == workflow["id"] and sum(s["share"] for s in saved["steps"]) == 100


def test_a_procedure_version_workflow_is_filled_with_defaults() -> None:
    saved = workflows.validate("1.001193@2", TWO_STEPS)
    assert saved["steps"][0]["assignment"] == "least_loaded" and saved["steps"][0]["weight"] == 1
    assert workflows.resolve_ids("1.001193", 2, "standard") == ["1.001193@2", "standard"]


@pytest.mark.parametrize(("workflow_id", "body", "expected"), [
    ("Bad Id", TWO_STEPS, ["/id"]),
    ("standard", {"name": "x", "steps": []}, ["/steps"]),
    ("standard", changed(s1={"share": 30}), ["/steps"]),
    ("standard", changed(s1={"actions": ["return"]}), ["/steps"]),
    ("standard", changed(s0={"actions": ["supplement"]}), ["/steps/1", "/steps"]),
    ("standard", changed(s0={"actions": ["forward", "return"]}), ["/steps/0/actions"]),
    ("standard", changed(s1={"actions": ["approve", "forward"]}), ["/steps/1/actions"]),
    ("standard", changed(s1={"id": "tham-dinh"}), ["/steps/1/id"]),
    ("standard", changed(s0={"role": "clerk", "share": 0}), ["/steps/0/role", "/steps/0/share"]),
    ("standard", changed(s0={"assignment": "random", "colour": "red"}), ["/steps/0/assignment", "/steps/0/colour"]),
    ("standard", changed(s0={"agency": "somewhere"}), ["/steps/0/agency"]),
])
def test_mistakes_are_named_with_their_pointer(workflow_id: str, body: dict[str, Any], expected: list[str]) -> None:
    assert pointers(workflow_id, body) == expected


def test_errors_speak_vietnamese_and_english() -> None:
    with pytest.raises(InvalidInput) as refused:
        workflows.validate("standard", changed(s1={"share": 30}))
    error = refused.value.errors[0]
    assert "100%" in error.message_vi and "add up to 100, not 90" in error.message_en
