"""Feedback's domain metrics."""

from prometheus_client import Counter

ratings = Counter("motcua_ratings_total", "Ratings accepted, by level on the 3-level scale.", ["level"])
