"""Notification's domain metrics."""

from prometheus_client import Counter, Histogram

notifications_sent = Counter("motcua_notifications_sent_total", "Messages by channel and outcome.", ["channel", "status"])
delivery_latency = Histogram("motcua_notification_event_to_send_seconds", "From the event's time to the message sent.",
                             ["channel"], buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60))
