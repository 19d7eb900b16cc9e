"""The procedure catalog (danh mục TTHC): definitions, their checks, versions, import and export.

A procedure's definition is data. Every change that alters it makes a new version; the previous versions
stay readable, because a dossier keeps the version it was received under.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import yaml
from motcua.errors import FieldError, InvalidInput

from intake import errors
from intake.repository import Repository
from intake.validation import AGENCY_ID, PROCEDURE_CODE, SLUG, Fields

LEVELS = ("commune", "province")
ONLINE = ("full", "partial")
# What makes a procedure's definition: a change in any of these is a new version.
DEFINITION = ("code", "name", "name_en", "field", "level", "agencies", "department", "legal_days", "online",
              "workflow", "fees", "documents")
AGENCY_FIELDS = ("id", "name", "level", "parent_name", "place_name", "departments")
FORMAT_VERSION = 1


def parse_agency(raw: Any, checks: Fields) -> dict[str, Any]:
    """An agency (receiving or handling unit) with its departments."""
    if not isinstance(raw, dict):
        checks.bad("", "Cơ quan phải là một đối tượng", "an agency must be an object")
        return {}
    agency_id = raw.get("id")
    if not isinstance(agency_id, str) or not AGENCY_ID.match(agency_id):
        checks.bad("/id", "Mã định danh cơ quan phải có dạng 000.00.12.H56", "id must look like 000.00.12.H56")
    departments = raw.get("departments")
    parsed = []
    if not isinstance(departments, list) or not departments:
        checks.bad("/departments", "Cần ít nhất một phòng ban", "departments must list at least one department")
        departments = []
    for i, department in enumerate(departments):
        code = department.get("code") if isinstance(department, dict) else None
        if not isinstance(code, str) or not SLUG.match(code):
            checks.bad(f"/departments/{i}/code", "Mã phòng ban chỉ gồm chữ thường, số và dấu gạch ngang",
                       "a department code is lowercase letters, digits and hyphens")
            continue
        name = department.get("name")
        parsed.append({"code": code, "name": name if isinstance(name, str) and name else code})
    return {"id": agency_id, "name": checks.text(raw, "name", required=True, limit=300),
            "level": checks.choice(raw, "level", LEVELS), "departments": parsed,
            "parent_name": checks.text(raw, "parent_name", required=False, limit=300),
            "place_name": checks.text(raw, "place_name", required=False, limit=100)}


def parse_procedure(raw: Any, base: str = "") -> dict[str, Any]:
    """A procedure definition, or InvalidInput naming every bad field."""
    checks = Fields(base)
    if not isinstance(raw, dict):
        checks.bad("", "Thủ tục phải là một đối tượng", "a procedure must be an object")
        checks.refuse_if_any("the procedure is not an object", "Thủ tục không hợp lệ")
    code = raw.get("code")
    if not isinstance(code, str) or not PROCEDURE_CODE.match(code):
        checks.bad("/code", "Mã thủ tục phải có dạng d.dddddd", "code must look like 1.001193")
    legal_days = raw.get("legal_days")
    if not isinstance(legal_days, int) or isinstance(legal_days, bool) or not 1 <= legal_days <= 365:
        checks.bad("/legal_days", "Thời hạn giải quyết là số ngày làm việc từ 1 đến 365",
                   "legal_days must be a number of working days from 1 to 365")
    agencies = raw.get("agencies")
    if not isinstance(agencies, list) or not agencies or not all(isinstance(a, str) and AGENCY_ID.match(a) for a in agencies):
        checks.bad("/agencies", "Cần danh sách mã cơ quan tiếp nhận, dạng 000.00.12.H56",
                   "agencies must list the ids of the agencies that receive it")
        agencies = []
    workflow = raw.get("workflow", "standard")
    if not isinstance(workflow, str) or not SLUG.match(workflow):
        checks.bad("/workflow", "Tên quy trình chỉ gồm chữ thường, số và dấu gạch ngang", "workflow must be a slug")
    department = raw.get("department")
    if not isinstance(department, str) or not SLUG.match(department):
        checks.bad("/department", "Mã phòng ban giải quyết chỉ gồm chữ thường, số và dấu gạch ngang",
                   "department must be a department code (a slug)")
    procedure = {
        "code": code, "name": checks.text(raw, "name", required=True, limit=300), "name_en": checks.text(raw, "name_en", required=False, limit=300),
        "field": checks.text(raw, "field", required=True, limit=300), "level": checks.choice(raw, "level", LEVELS),
        "agencies": list(dict.fromkeys(agencies)), "department": department, "legal_days": legal_days,
        "online": checks.choice(raw, "online", ONLINE), "workflow": workflow,
        "fees": _fees(raw.get("fees", []), checks), "documents": _documents(raw.get("documents"), checks),
    }
    checks.refuse_if_any("the procedure has invalid fields", "Thủ tục có thông tin không hợp lệ")
    return procedure


def _fees(raw: Any, checks: Fields) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        checks.bad("/fees", "Lệ phí phải là một danh sách", "fees must be a list")
        return []
    fees = []
    for i, fee in enumerate(raw):
        item = Fields(f"{checks.base}/fees/{i}")
        amount = fee.get("amount_vnd") if isinstance(fee, dict) else None
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            item.bad("/amount_vnd", "Số tiền là số nguyên không âm (đồng)", "amount_vnd must be a whole number of dong, ≥ 0")
        if isinstance(fee, dict):
            fees.append({"name": item.text(fee, "name", required=True, limit=300), "amount_vnd": amount,
                         "note": item.text(fee, "note", required=False, limit=500)})
        checks.errors.extend(item.errors)
    return fees


def _documents(raw: Any, checks: Fields) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        checks.bad("/documents", "Cần ít nhất một thành phần hồ sơ", "documents must list at least one document")
        return []
    documents, seen = [], set()
    for i, document in enumerate(raw):
        item = Fields(f"{checks.base}/documents/{i}")
        if not isinstance(document, dict):
            item.bad("", "Thành phần hồ sơ phải là một đối tượng", "a document must be an object")
            checks.errors.extend(item.errors)
            continue
        doc_id = document.get("id")
        if not isinstance(doc_id, str) or not SLUG.match(doc_id) or doc_id in seen:
            item.bad("/id", "Mã giấy tờ là chuỗi chữ thường, không trùng nhau", "id must be a unique slug")
        else:
            seen.add(doc_id)
        mandatory = document.get("mandatory", True)
        if not isinstance(mandatory, bool):
            item.bad("/mandatory", "mandatory phải là true hoặc false", "mandatory must be true or false")
        documents.append({"id": doc_id, "name": item.text(document, "name", required=True, limit=500), "mandatory": mandatory})
        checks.errors.extend(item.errors)
    return documents


def definition(procedure: dict[str, Any]) -> dict[str, Any]:
    """The parts of a stored procedure that define it (no version or audit fields)."""
    return {key: procedure.get(key) for key in DEFINITION}


def load_yaml_or_json(text: str) -> Any:
    """Parse an import body; YAML is a superset of JSON, so one parser reads both."""
    try:
        document = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError) as error:
        raise InvalidInput(detail=f"the catalog is not valid YAML or JSON: {error}",
                           detail_vi="Danh mục không phải YAML hoặc JSON hợp lệ",
                           errors=[FieldError("", "Không đọc được nội dung", "could not parse the body")]) from error
    try:
        # A \ud800-style escape parses to a lone surrogate, which the database cannot store.
        json.dumps(document, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(detail="the catalog holds a lone UTF-16 surrogate (\\ud800-\\udfff escape)",
                           detail_vi="Danh mục chứa ký tự Unicode không hợp lệ",
                           errors=[FieldError("", "Ký tự Unicode không hợp lệ", "lone surrogate")]) from None
    return document


def seed() -> dict[str, Any]:
    """The seed catalog shipped with intake."""
    text = resources.files("intake").joinpath("catalog/seed.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


class CatalogService:
    """The published catalog: agencies and versioned procedures."""

    def __init__(self, *, repo: Repository, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.repo = repo
        self.clock = clock

    def import_catalog(self, document: Any, *, actor: str) -> dict[str, list[str]]:
        """Upsert agencies and procedures; a changed procedure gets a new version. Fields everything first."""
        if not isinstance(document, dict):
            raise InvalidInput(detail="the catalog must be an object with agencies and procedures",
                               detail_vi="Danh mục phải có agencies và procedures",
                               errors=[FieldError("", "Danh mục không hợp lệ", "not a catalog object")])
        checks = Fields()
        for key in ("agencies", "procedures"):
            if not isinstance(document.get(key) or [], list):
                checks.bad(f"/{key}", f"{key} phải là một danh sách", f"{key} must be a list")
        checks.refuse_if_any("the catalog has invalid entries", "Danh mục có mục không hợp lệ")
        agencies = []
        for i, raw in enumerate(document.get("agencies") or []):
            agency_checks = Fields(f"/agencies/{i}")
            agencies.append(parse_agency(raw, agency_checks))
            checks.errors.extend(agency_checks.errors)
        procedures = []
        for i, raw in enumerate(document.get("procedures") or []):
            try:
                procedures.append(parse_procedure(raw, f"/procedures/{i}"))
            except InvalidInput as error:
                checks.errors.extend(error.errors)
        checks.refuse_if_any("the catalog has invalid entries", "Danh mục có mục không hợp lệ")
        for agency in agencies:
            self.repo.save_agency(agency)
        report: dict[str, list[str]] = {"created": [], "updated": [], "unchanged": []}
        for i, procedure in enumerate(procedures):
            self._check_references(procedure, f"/procedures/{i}")
            outcome = self._save(procedure, actor=actor)
            report[outcome].append(procedure["code"])
        return report

    def create(self, raw: Any, *, actor: str) -> dict[str, Any]:
        procedure = parse_procedure(raw)
        if self.repo.get_procedure(procedure["code"]) is not None:
            raise errors.procedure_exists(procedure["code"])
        self._check_references(procedure, "")
        self._save(procedure, actor=actor)
        return self.procedure(procedure["code"])

    def update(self, code: str, raw: Any, *, actor: str, expected_version: int | None = None) -> dict[str, Any]:
        current = self.procedure(code)
        if expected_version is not None and expected_version != current["version"]:
            raise errors.procedure_version_mismatch(code, current["version"], expected_version)
        procedure = parse_procedure({**(raw if isinstance(raw, dict) else {}), "code": code})
        self._check_references(procedure, "")
        self._save(procedure, actor=actor)
        return self.procedure(code)

    def procedure(self, code: str, version: int = 0) -> dict[str, Any]:
        found = self.repo.get_procedure_version(code, version) if version else self.repo.get_procedure(code)
        if found is None:
            raise errors.procedure_not_found(code, version)
        return found

    def procedures(self) -> list[dict[str, Any]]:
        return self.repo.list_procedures()

    def versions(self, code: str) -> list[dict[str, Any]]:
        self.procedure(code)
        return self.repo.list_procedure_versions(code)

    def agency(self, agency_id: str) -> dict[str, Any] | None:
        return self.repo.get_agency(agency_id)

    def export(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "agencies": [{k: a.get(k, "") for k in AGENCY_FIELDS} for a in self.repo.list_agencies()],
            "procedures": [definition(p) for p in self.repo.list_procedures()],
        }

    def _check_references(self, procedure: dict[str, Any], base: str) -> None:
        checks = Fields(base)
        for i, agency_id in enumerate(procedure["agencies"]):
            agency = self.repo.get_agency(agency_id)
            if agency is None:
                checks.bad(f"/agencies/{i}", f"Không có cơ quan {agency_id}", f"no agency {agency_id}")
            elif procedure["department"] not in {d["code"] for d in agency["departments"]}:
                checks.bad("/department", f"Cơ quan {agency_id} không có phòng ban {procedure['department']}",
                           f"agency {agency_id} has no department {procedure['department']}")
            elif agency["level"] != procedure["level"]:
                checks.bad(f"/agencies/{i}", f"Cơ quan {agency_id} là cấp {agency['level']}, thủ tục là cấp {procedure['level']}",
                           f"agency {agency_id} is at {agency['level']} level, the procedure at {procedure['level']} level")
        checks.refuse_if_any("the procedure refers to unknown agencies or departments",
                             "Thủ tục tham chiếu cơ quan hoặc phòng ban không tồn tại")

    def _save(self, procedure: dict[str, Any], *, actor: str) -> str:
        current = self.repo.get_procedure(procedure["code"])
        if current is not None and definition(current) == procedure:
            return "unchanged"
        version = (current or {}).get("version", 0) + 1
        stored = {**procedure, "version": version, "updated_at": self.clock(), "updated_by": actor}
        if not self.repo.add_procedure_version(stored):
            raise errors.procedure_changed_concurrently(procedure["code"])
        self.repo.save_procedure(stored)
        return "created" if current is None else "updated"
