"""What each agency rates on: its scale (3 or 5 levels) and the criteria it chose (DOMAIN: Satisfaction)."""

from __future__ import annotations

from dataclasses import dataclass

from motcua.settings import SettingsError

# Level labels, best last; the 3-level scale is the counter kiosks', the 5-level one the portals'.
SCALES: dict[int, dict[int, str]] = {
    3: {1: "Không hài lòng", 2: "Hài lòng", 3: "Rất hài lòng"},
    5: {1: "Rất không hài lòng", 2: "Không hài lòng", 3: "Bình thường", 4: "Hài lòng", 5: "Rất hài lòng"},
}
# The criteria of Decree 61 Art. 31 an agency may choose, with the question the citizen reads.
CRITERIA = {
    "overall": "Nhìn chung, anh/chị hài lòng thế nào?",
    "convenience": "Thủ tục có thuận tiện không?",
    "timeliness": "Hồ sơ có được giải quyết đúng hẹn không?",
    "attitude": "Cán bộ tiếp đón, hướng dẫn có tận tình không?",
    "total_time": "Tổng thời gian giải quyết so với quy định?",
    "processing_time": "Thời gian xử lý so với quy định?",
    "contacts": "Số lần phải đi lại, liên hệ có hợp lý không?",
    "agencies": "Số cơ quan phải liên hệ có hợp lý không?",
    "reception": "Việc tiếp nhận và trả kết quả thế nào?",
    "publicity": "Thủ tục có được công khai đầy đủ không?",
    "complaint_handling": "Phản ánh, kiến nghị có được xử lý tốt không?",
    "online": "Dịch vụ công trực tuyến dùng có dễ không?",
}
# What went wrong, asked after a low rating.
PROBLEMS = {
    "late": "Trả kết quả trễ hẹn",
    "attitude": "Thái độ cán bộ chưa tốt",
    "many_trips": "Phải đi lại nhiều lần",
    "unclear": "Hướng dẫn không rõ ràng",
    "extra_papers": "Bị yêu cầu thêm giấy tờ ngoài quy định",
    "fees": "Bị thu phí ngoài quy định",
    "other": "Lý do khác",
}


@dataclass(frozen=True)
class Policy:
    """An agency's scale and the criteria besides the overall level, in the order they are asked."""

    scale: int
    criteria: tuple[str, ...]

    @property
    def levels(self) -> dict[int, str]:
        return SCALES[self.scale]

    def is_low(self, level: int) -> bool:
        """Below "satisfied": 1 on the 3-level scale, 1 or 2 on the 5-level one."""
        return level <= (2 if self.scale == 5 else 1)

    def is_satisfied(self, level: int) -> bool:
        """Satisfied or very satisfied: the top two levels."""
        return level >= self.scale - 1


def parse_policy(text: str, name: str) -> Policy:
    """`5:overall,timeliness,attitude` -> Policy(5, ("timeliness", "attitude")); overall is always asked."""
    scale_text, _, criteria_text = text.strip().partition(":")
    if scale_text.strip() not in {"3", "5"}:
        raise SettingsError(f"{name}: the scale must be 3 or 5, got {scale_text!r}")
    criteria = tuple(c.strip() for c in criteria_text.split(",") if c.strip() and c.strip() != "overall")
    unknown = [c for c in criteria if c not in CRITERIA]
    if unknown:
        raise SettingsError(f"{name}: unknown criteria {', '.join(unknown)}; known: {', '.join(CRITERIA)}")
    return Policy(int(scale_text), criteria)


@dataclass(frozen=True)
class Policies:
    """The default policy and the agencies that chose their own."""

    default: Policy
    agencies: dict[str, Policy]

    def of(self, agency: str) -> Policy:
        return self.agencies.get(agency, self.default)

    @classmethod
    def parse(cls, default: str, agencies: str, name: str, agencies_name: str) -> Policies:
        """`agencies` is `<agency>=<policy>;<agency>=<policy>`, each policy as parse_policy reads it."""
        chosen: dict[str, Policy] = {}
        for item in filter(None, (i.strip() for i in agencies.split(";"))):
            agency, sep, policy = item.partition("=")
            if not sep or not agency.strip():
                raise SettingsError(f"{agencies_name}: expected <agency>=<scale>:<criteria>, got {item!r}")
            chosen[agency.strip()] = parse_policy(policy, agencies_name)
        return cls(parse_policy(default, name), chosen)
