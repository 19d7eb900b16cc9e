import pytest
from intake.api import whole_number


@pytest.mark.parametrize(("text", "expected"), [
    ("0", True), ("12", True), ("123456789", True), ("1234567890", False), ("²", False), ("١", False), ("", False),
    ("-1", False), ("1.0", False),
])
def test_whole_number_takes_only_short_ascii_digits(text, expected):
    assert whole_number(text) is expected
