# Creates the motcua topics that are missing and raises partition counts that are too low; it never
# deletes a topic or lowers anything. Run by the chart's topic Job: argv[1] is the JSON list of topics
# ({name, partitions, replicas, config}); the connection is read by the kernel, as the services read it.
import json
import sys

from kafka import KafkaAdminClient
from kafka.admin import NewPartitions, NewTopic
from kafka.errors import TopicAlreadyExistsError
from motcua.settings import KafkaSettings, SettingsError

wanted = {topic["name"]: topic for topic in json.loads(sys.argv[1])}
try:
    connection = KafkaSettings.from_env()
except SettingsError as error:
    sys.exit(f"kafka-topics: {error}")

admin = KafkaAdminClient(**connection.client_options(), client_id="motcua-kafka-topics", request_timeout_ms=30000)
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
