"""Feedback's domain metrics."""

from prometheus_client import Counter

ratings = Counter("motcua_ratings_total", "Ratings accepted, by scale (3 or 5 levels) and level.", ["scale", "level"])
throttled = Counter("motcua_feedback_throttled_total", "Requests refused by the per-address rate limit.", ["scope"])
complaints = Counter("motcua_complaints_total", "Complaints filed and answered.", ["event"])
