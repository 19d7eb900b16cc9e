"""Routing's domain metrics."""

from prometheus_client import Counter

tasks_assigned = Counter("motcua_tasks_assigned_total", "Tasks assigned to officials, by department.", ["department"])
dossiers_decided = Counter("motcua_dossiers_decided_total", "Dossiers approved with a signed result.", ["procedure"])
