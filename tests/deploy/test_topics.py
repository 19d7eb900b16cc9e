"""The chart's topic list is the code's (libs/motcua/topics.py), for Strimzi and for the topic Job alike."""

from __future__ import annotations

import json

import yaml
from motcua.topics import DLQ_PARTITIONS, TOPICS

from tests.deploy.conftest import CHARTS, find

VALUES = yaml.safe_load((CHARTS / "motcua" / "values.yaml").read_text(encoding="utf-8"))


def expected(prefix: str = "") -> dict[str, int]:
    name = (lambda topic: f"{prefix}.{topic}") if prefix else (lambda topic: topic)
    return {**{name(t.name): t.partitions for t in TOPICS}, **{name(t.dlq): DLQ_PARTITIONS for t in TOPICS}}


def test_the_values_list_the_code_topics_with_their_partitions():
    topics = VALUES["kafkaTopics"]
    assert [(t["name"], t["partitions"]) for t in topics["topics"]] == [(t.name, t.partitions) for t in TOPICS]
    assert topics["dlqPartitions"] == DLQ_PARTITIONS


def test_strimzi_gets_one_kafka_topic_per_topic_and_dead_letter_topic(rendered):
    topics = find(rendered["production"], "KafkaTopic")
    assert {t["spec"]["topicName"]: t["spec"]["partitions"] for t in topics} == expected()
    for topic in topics:
        assert topic["apiVersion"] == "kafka.strimzi.io/v1"
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == "motcua"
        assert topic["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
        assert topic["spec"]["replicas"] == 3 and topic["spec"]["config"]["min.insync.replicas"] == 2
    retention = {t["spec"]["topicName"]: t["spec"]["config"]["retention.ms"] for t in topics}
    assert retention["motcua.dossier.v1.dlq"] > retention["motcua.dossier.v1"]
    assert not find(rendered["default"], "KafkaTopic")


def test_the_topic_job_creates_the_same_topics_under_the_prefix(rendered):
    (job,) = find(rendered["no-strimzi"], "Job")
    command = job["spec"]["template"]["spec"]["containers"][0]["command"]
    wanted = json.loads(command[-1])
    assert {t["name"]: t["partitions"] for t in wanted} == expected("staging")
    assert {t["replicas"] for t in wanted} == {2}
    assert all(t["config"]["min.insync.replicas"] == 1 for t in wanted)
