# Creates the motcua topics that are missing and raises partition counts that are too low; it never
# deletes a topic or lowers anything. Run by the chart's topic Job: argv[1] is the JSON list of topics
# ({name, partitions, replicas, config}), the connection comes from the same variables as the services'.
import json
import os
import sys

from kafka import KafkaAdminClient
from kafka.admin import NewPartitions, NewTopic
from kafka.errors import TopicAlreadyExistsError

wanted = {topic["name"]: topic for topic in json.loads(sys.argv[1])}
env = os.environ.get
options = {
    "bootstrap_servers": env("KAFKA_BOOTSTRAP_SERVERS", "").split(","),
    "client_id": "motcua-kafka-topics",
    "security_protocol": env("MOTCUA_KAFKA_SECURITY_PROTOCOL") or "PLAINTEXT",
    "request_timeout_ms": 30000,
}
for option, variable in (("ssl_cafile", "MOTCUA_KAFKA_SSL_CAFILE"), ("ssl_certfile", "MOTCUA_KAFKA_SSL_CERTFILE"),
                         ("ssl_keyfile", "MOTCUA_KAFKA_SSL_KEYFILE"), ("sasl_mechanism", "MOTCUA_KAFKA_SASL_MECHANISM"),
                         ("sasl_plain_username", "MOTCUA_KAFKA_SASL_USERNAME"),
                         ("sasl_plain_password", "MOTCUA_KAFKA_SASL_PASSWORD")):
    if env(variable):
        options[option] = env(variable)

admin = KafkaAdminClient(**options)
try:
    existing = set(admin.list_topics())
    missing = [NewTopic(name, topic["partitions"], topic["replicas"],
                        topic_configs={key: str(value) for key, value in (topic.get("config") or {}).items()})
               for name, topic in wanted.items() if name not in existing]
    if missing:
        try:
            admin.create_topics(missing)
        except TopicAlreadyExistsError:
            pass
        print("created:", ", ".join(topic.name for topic in missing), flush=True)
    present = [name for name in wanted if name in existing]
    grow = {}
    for description in admin.describe_topics(present) if present else []:
        name, count = description.get("name") or description["topic"], len(description["partitions"])
        if count < wanted[name]["partitions"]:
            grow[name] = NewPartitions(total_count=wanted[name]["partitions"])
        elif count > wanted[name]["partitions"]:
            print(f"{name} has {count} partitions, more than the {wanted[name]['partitions']} asked: left as is")
    if grow:
        admin.create_partitions(grow)
        print("partitions raised:", ", ".join(f"{name} to {p.total_count}" for name, p in grow.items()), flush=True)
    print(f"{len(wanted)} topics in place", flush=True)
finally:
    admin.close()
