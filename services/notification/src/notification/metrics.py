"""Notification's domain metrics. Labels are bounded: channel and provider come from the settings."""

from prometheus_client import Counter, Gauge, Histogram

notifications_sent = Counter(
    "motcua_notifications_sent_total", "Messages by channel, provider and outcome on that channel.",
    ["channel", "provider", "status"])
attempts = Counter("motcua_notification_attempts_total", "Calls to a provider, by their outcome.",
                   ["channel", "provider", "outcome"])
delivery_latency = Histogram("motcua_notification_event_to_send_seconds", "From the event's time to the message sent.",
                             ["channel"], buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800))
queue_depth = Gauge("motcua_notification_queue_depth",
                    "Messages not finished yet: due by now (being sent or waiting for a sender), or scheduled later.",
                    ["state"])
rate_limited = Counter("motcua_notification_rate_limited_seconds_total",
                       "Time the sender waited for a provider's rate limit.", ["channel", "provider"])
delivered_latency = Histogram("motcua_notification_event_to_delivery_seconds",
                              "From the event's time to the provider's delivery receipt.", ["channel"],
                              buckets=(0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 3600, 21600))
