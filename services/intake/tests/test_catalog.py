import pytest
from intake.catalog import (
    CatalogService,
    load_yaml_or_json,
    parse_agency,
    parse_procedure,
)
from intake.validation import Fields
from motcua.errors import InvalidInput

PROCEDURE = {"code": "1.009999", "name": "Thủ tục thử", "field": "Hộ tịch", "level": "commune",
             "agencies": ["000.01.31.H56"], "department": "tu-phap", "legal_days": 1, "online": "full",
             "documents": [{"id": "to-khai", "name": "Tờ khai"}]}


def pointers(error: InvalidInput) -> set[str]:
    return {e.pointer for e in error.errors}


@pytest.mark.parametrize("doc_id", [{}, [], None, 5])
def test_a_document_id_that_is_not_a_string_is_a_field_error(doc_id):
    with pytest.raises(InvalidInput) as caught:
        parse_procedure({**PROCEDURE, "documents": [{"id": doc_id, "name": "Tờ khai"}]})
    assert pointers(caught.value) == {"/documents/0/id"}


def test_a_repeated_document_id_is_a_field_error():
    documents = [{"id": "to-khai", "name": "Tờ khai"}, {"id": "to-khai", "name": "Tờ khai khác"}]
    with pytest.raises(InvalidInput) as caught:
        parse_procedure({**PROCEDURE, "documents": documents})
    assert pointers(caught.value) == {"/documents/1/id"}


@pytest.mark.parametrize("code", ["1.009999\n", "١.٠٠٩٩٩٩"])
def test_a_procedure_code_is_ascii_with_nothing_after_it(code):
    with pytest.raises(InvalidInput) as caught:
        parse_procedure({**PROCEDURE, "code": code})
    assert pointers(caught.value) == {"/code"}


def test_a_department_code_must_be_a_string():
    checks = Fields()
    agency = parse_agency({"id": "000.09.31.H56", "name": "UBND xã", "level": "commune",
                           "departments": [{"code": 5}, {"code": "tu-phap"}]}, checks)
    assert [e.pointer for e in checks.errors] == ["/departments/0/code"]
    assert agency["departments"] == [{"code": "tu-phap", "name": "tu-phap"}]


@pytest.mark.parametrize("document", [{"agencies": 5}, {"procedures": "1.001193"}, {"agencies": {"id": "x"}}])
def test_an_import_whose_lists_are_not_lists_is_refused_before_anything_is_written(document):
    with pytest.raises(InvalidInput) as caught:
        CatalogService(repo=None).import_catalog(document, actor="quan-tri-01")  # type: ignore[arg-type]
    assert pointers(caught.value) == {f"/{next(iter(document))}"}


def test_a_deeply_nested_import_is_invalid_input():
    with pytest.raises(InvalidInput):
        load_yaml_or_json("[" * 100_000)
