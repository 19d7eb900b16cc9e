"""Feedback's domain metrics."""

from prometheus_client import Counter, Gauge

ratings = Counter("motcua_ratings_total", "Ratings accepted, by scale (3 or 5 levels) and level.", ["scale", "level"])
throttled = Counter("motcua_feedback_throttled_total", "Requests refused by the per-address rate limit.", ["scope"])
complaints = Counter("motcua_complaints_total", "Complaints filed and answered.", ["event"])
satisfaction = Gauge("motcua_satisfaction_ratio",
                     "Share of this month's ratings that are satisfied or very satisfied, per agency and per channel.",
                     ["dimension", "value"])
month_ratings = Gauge("motcua_satisfaction_ratings", "This month's ratings, per agency and per channel.",
                      ["dimension", "value"])
