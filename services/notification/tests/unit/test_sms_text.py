import pytest
from notification.sms_text import count, without_diacritics


def test_vietnamese_loses_its_marks_and_d_with_stroke_becomes_d():
    assert without_diacritics("Đăng ký khai sinh đã được tiếp nhận") == "Dang ky khai sinh da duoc tiep nhan"
    assert without_diacritics("Hồ sơ ƯỚC ĐỊNH, ỹ ợ") == "Ho so UOC DINH, y o"


@pytest.mark.parametrize(("text", "encoding", "units", "segments"), [
    ("a" * 160, "GSM-7", 160, 1),
    ("a" * 161, "GSM-7", 161, 2),
    ("a" * 306, "GSM-7", 306, 2),
    ("a" * 307, "GSM-7", 307, 3),
    ("€" * 80, "GSM-7", 160, 1),  # an extension character takes two septets
    ("ơ" * 70, "UCS-2", 70, 1),
    ("ơ" * 71, "UCS-2", 71, 2),
    ("ơ" * 134, "UCS-2", 134, 2),
    ("ơ" * 135, "UCS-2", 135, 3),
    ("Hồ sơ", "UCS-2", 5, 1),
])
def test_segments_follow_the_single_and_concatenated_limits(text, encoding, units, segments):
    found = count(text)
    assert (found.encoding, found.units, found.segments) == (encoding, units, segments)
