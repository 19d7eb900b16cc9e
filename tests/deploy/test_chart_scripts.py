"""The Python the charts run in the pods, run here against the test session's Kafka and FerretDB:
the init container that waits for the dependencies and the Job that creates the topics."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest

from tests.conftest import eventually
from tests.deploy.conftest import find, one

pytestmark = pytest.mark.stack


def run(script: str, *args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", script, *args], check=False, capture_output=True, text=True,
                          timeout=timeout, env={"PATH": os.environ.get("PATH", ""), **env})


@pytest.fixture(scope="module")
def wait_script(rendered) -> str:
    pod = one(rendered["default"], "Deployment", "intake-server")["spec"]["template"]["spec"]
    return pod["initContainers"][0]["command"][2]


def test_the_init_container_lets_the_pod_start_once_kafka_and_mongodb_answer(stack, wait_script):
    done = run(wait_script, "30", env={"KAFKA_BOOTSTRAP_SERVERS": stack.kafka_bootstrap, "MONGO_URL": stack.mongo_url})
    assert done.returncode == 0, done.stderr
    assert "Kafka is reachable" in done.stdout and "MongoDB is reachable" in done.stdout


def test_the_init_container_gives_up_naming_what_it_waited_for(stack, wait_script):
    done = run(wait_script, "0", env={"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1", "MONGO_URL": stack.mongo_url})
    assert done.returncode == 1 and "gave up waiting for Kafka: 127.0.0.1:1" in done.stderr
    done = run(wait_script, "0", env={"KAFKA_BOOTSTRAP_SERVERS": stack.kafka_bootstrap,
                                      "MONGO_URL": "mongodb://127.0.0.1:1/"})
    assert done.returncode == 1 and "gave up waiting for MongoDB" in done.stderr


def partitions(stack, names: list[str]) -> dict[str, int]:
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap, client_id="motcua-test")
    try:
        return {d.get("name") or d["topic"]: len(d["partitions"]) for d in admin.describe_topics(names)}
    finally:
        admin.close()


def test_the_topic_job_creates_the_topics_then_only_raises_partitions(stack, template):
    prefix = f"job{uuid.uuid4().hex[:8]}"
    docs = template("default", global__kafka__topicPrefix=prefix, kafkaTopics__job__enabled="true",
                    kafkaTopics__replicas="1", **{"kafkaTopics.config.min\\.insync\\.replicas": "1",
                                                  "kafkaTopics.dlqConfig.min\\.insync\\.replicas": "1"})
    (job,) = find(docs, "Job")
    container = job["spec"]["template"]["spec"]["containers"][0]
    script, topics = container["command"][2], json.loads(container["command"][3])
    env = {e["name"]: e["value"] for e in container["env"]} | {"KAFKA_BOOTSTRAP_SERVERS": stack.kafka_bootstrap}

    first = run(script, json.dumps(topics), env=env)
    assert first.returncode == 0, first.stderr
    assert "created:" in first.stdout
    wanted = {t["name"]: t["partitions"] for t in topics}
    assert partitions(stack, list(wanted)) == wanted

    again = run(script, json.dumps(topics), env=env)
    assert again.returncode == 0 and "created:" not in again.stdout and "partitions raised" not in again.stdout

    dossier = f"{prefix}.motcua.dossier.v1"
    more = [dict(t, partitions=t["partitions"] + 2) if t["name"] == dossier else t for t in topics]
    fewer = [dict(t, partitions=1) if t["name"] == f"{prefix}.motcua.document.v1" else t for t in more]
    raised = run(script, json.dumps(fewer), env=env)
    assert raised.returncode == 0, raised.stderr
    assert f"{dossier} to {wanted[dossier] + 2}" in raised.stdout and "left as is" in raised.stdout
    expected = {dossier: wanted[dossier] + 2, f"{prefix}.motcua.document.v1": wanted[f"{prefix}.motcua.document.v1"]}
    # The broker answers the raise before every metadata reply shows the new partitions.
    eventually(lambda: partitions(stack, list(expected)) == expected, 30, what="the raised partition count")
