from datetime import UTC, datetime

from intake import views


def test_a_supplement_request_shows_its_time_like_every_other_time():
    shown = views.supplement_request({"items": [{"document_type": "to-khai", "name": "Tờ khai", "reason": "mờ"}],
                                      "note": "", "requested_at": datetime(2025, 10, 20, 2, 15, tzinfo=UTC)})
    assert shown is not None and shown["requested_at"] == "2025-10-20T09:15:00+07:00"
    assert views.supplement_request(None) is None
