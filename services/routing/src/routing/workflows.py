"""Workflows as data (quy trình nội bộ): the ordered steps of a procedure version and what each step allows.

A workflow is saved under an id that is either a name the catalog's procedure versions refer to
(`standard`, `inter-agency`) or `<procedure code>@<version>` for one procedure version; a dossier takes the
latter when it exists, else the named one. The README's routing section documents the format.
"""

from __future__ import annotations

import re
from typing import Any

from motcua.errors import FieldError, InvalidInput

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
PROCEDURE_VERSION = re.compile(r"^\d\.\d{6}@\d{1,4}$")
AGENCY = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")
ROLES = ("officer", "leader")
ACTIONS = ("forward", "return", "supplement", "reject", "approve")
ASSIGNMENTS = ("least_loaded", "round_robin", "claim")
MAX_STEPS = 20
TOTAL_SHARE = 100
DEFAULT_ID = "standard"


def resolve_ids(procedure_code: str, procedure_version: int, named: str) -> list[str]:
    """The workflow ids a dossier looks for, most specific first."""
    return [f"{procedure_code}@{procedure_version}", named or DEFAULT_ID]


def validate(workflow_id: str, body: Any) -> dict[str, Any]:
    """A checked workflow from a request body; InvalidInput lists every problem with its JSON pointer."""
    problems: list[FieldError] = []
    if not (SLUG.match(workflow_id) or PROCEDURE_VERSION.match(workflow_id)):
        problems.append(FieldError("/id", "Mã quy trình là chữ thường và dấu gạch, hoặc <mã thủ tục>@<phiên bản>",
                                   "the workflow id is a lower-case slug or <procedure code>@<version>"))
    if not isinstance(body, dict):
        raise InvalidInput(detail="the workflow must be a JSON object", detail_vi="Quy trình phải là một đối tượng JSON",
                           errors=[FieldError("", "Phải là đối tượng JSON", "must be a JSON object")])
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(FieldError("/name", "Thiếu tên quy trình", "name is required"))
    raw_steps = body.get("steps")
    if not isinstance(raw_steps, list) or not 1 <= len(raw_steps) <= MAX_STEPS:
        problems.append(FieldError("/steps", f"Quy trình có từ 1 đến {MAX_STEPS} bước",
                                   f"steps must be a list of 1 to {MAX_STEPS} steps"))
        raise _invalid(problems)
    steps = [_step(i, raw, problems) for i, raw in enumerate(raw_steps)]
    if not problems:
        _check_graph(steps, problems)
    if problems:
        raise _invalid(problems)
    return {"_id": workflow_id, "name": name.strip(), "steps": steps}


def _invalid(problems: list[FieldError]) -> InvalidInput:
    return InvalidInput(detail="the workflow is not valid: " + "; ".join(f"{p.pointer} {p.message_en}" for p in problems),
                        detail_vi="Quy trình không hợp lệ", errors=problems)


def _step(index: int, raw: Any, problems: list[FieldError]) -> dict[str, Any]:
    at = f"/steps/{index}"
    if not isinstance(raw, dict):
        problems.append(FieldError(at, "Mỗi bước là một đối tượng", "each step must be an object"))
        return {}
    step = {"id": raw.get("id"), "name": raw.get("name"), "role": raw.get("role"),
            "department": raw.get("department", ""), "agency": raw.get("agency", ""), "share": raw.get("share"),
            "weight": raw.get("weight", 1), "assignment": raw.get("assignment", "least_loaded"),
            "actions": raw.get("actions")}
    checks = [
        ("id", isinstance(step["id"], str) and bool(SLUG.match(step["id"])),
         "Mã bước là chữ thường và dấu gạch", "id must be a lower-case slug"),
        ("name", isinstance(step["name"], str) and bool(step["name"].strip()), "Thiếu tên bước", "name is required"),
        ("role", step["role"] in ROLES, f"Vai trò là một trong {', '.join(ROLES)}", f"role must be one of {', '.join(ROLES)}"),
        ("department", step["department"] == "" or (isinstance(step["department"], str) and bool(SLUG.match(step["department"]))),
         "Mã phòng ban là chữ thường và dấu gạch, hoặc để trống (phòng ban của thủ tục)",
         "department must be a slug, or empty for the procedure's department"),
        ("agency", step["agency"] == "" or (isinstance(step["agency"], str) and bool(AGENCY.match(step["agency"]))),
         "Mã cơ quan dạng 000.00.00.H00, hoặc để trống (cơ quan tiếp nhận)",
         "agency must be an electronic agency id, or empty for the receiving agency"),
        ("share", type(step["share"]) is int and 1 <= step["share"] <= TOTAL_SHARE,
         "Tỷ lệ thời gian là số nguyên từ 1 đến 100 (%)", "share must be a whole percentage from 1 to 100"),
        ("weight", type(step["weight"]) in (int, float) and 0 < step["weight"] <= 100,
         "Trọng số là số dương đến 100", "weight must be a positive number up to 100"),
        ("assignment", step["assignment"] in ASSIGNMENTS, f"Cách phân công là một trong {', '.join(ASSIGNMENTS)}",
         f"assignment must be one of {', '.join(ASSIGNMENTS)}"),
        ("actions", isinstance(step["actions"], list) and bool(step["actions"])
         and all(a in ACTIONS for a in step["actions"]) and len(set(step["actions"])) == len(step["actions"]),
         f"Thao tác là danh sách không trùng lặp trong {', '.join(ACTIONS)}",
         f"actions must be a non-empty list of distinct values from {', '.join(ACTIONS)}"),
    ]
    for field, ok, vi, en in checks:
        if not ok:
            problems.append(FieldError(f"{at}/{field}", vi, en))
    unknown = sorted(set(raw) - set(step))
    if unknown:
        problems.append(FieldError(f"{at}/{unknown[0]}", "Trường không được hỗ trợ", f"unknown field {unknown[0]}"))
    return step


def _check_graph(steps: list[dict[str, Any]], problems: list[FieldError]) -> None:
    """Distinct ids, shares adding up, transitions that exist, and an approving end reachable from the start."""
    seen: set[str] = set()
    for i, step in enumerate(steps):
        if step["id"] in seen:
            problems.append(FieldError(f"/steps/{i}/id", "Mã bước bị trùng", f"step id {step['id']} is used twice"))
        seen.add(step["id"])
    total = sum(s["share"] for s in steps)
    if total != TOTAL_SHARE:
        problems.append(FieldError("/steps", f"Tổng tỷ lệ thời gian các bước phải là 100%, đang là {total}%",
                                   f"the steps' shares must add up to 100, not {total}"))
    if "return" in steps[0]["actions"]:
        problems.append(FieldError("/steps/0/actions", "Bước đầu tiên không có bước trước để trả lại",
                                   "the first step has no previous step to return to"))
    if "forward" in steps[-1]["actions"]:
        problems.append(FieldError(f"/steps/{len(steps) - 1}/actions", "Bước cuối không có bước sau để chuyển",
                                   "the last step has no next step to forward to"))
    reachable = 1
    while reachable < len(steps) and "forward" in steps[reachable - 1]["actions"]:
        reachable += 1
    for i in range(reachable, len(steps)):
        problems.append(FieldError(f"/steps/{i}", "Không bước nào chuyển tới bước này",
                                   f"step {steps[i]['id']} cannot be reached: the step before it does not forward"))
    if not any("approve" in s["actions"] for s in steps[:reachable]):
        problems.append(FieldError("/steps", "Quy trình không có bước phê duyệt nào đến được",
                                   "no reachable step approves: the workflow has no end"))


def step_at(dossier: dict[str, Any], index: int) -> dict[str, Any]:
    """The dossier's workflow step by position, with its agency and department filled in."""
    step = dossier["workflow"]["steps"][index]
    return {**step, "agency": step["agency"] or dossier["agency_id"], "department": step["department"] or dossier["department"]}
