import pytest
from intake.calendars import CalendarService
from motcua.errors import InvalidInput


class Catalog:
    def agency(self, agency_id):
        return {"id": agency_id}


@pytest.mark.parametrize("kind", [[], {}, None, 1, "holiday"])
def test_an_override_of_an_unknown_kind_is_a_field_error(kind):
    service = CalendarService(store=None, catalog=Catalog())  # type: ignore[arg-type]
    with pytest.raises(InvalidInput) as caught:
        service.set("000.01.31.H56", {"date": "2025-12-31", "kind": kind})
    assert [e.pointer for e in caught.value.errors] == ["/kind"]
