"""The rendered charts keep the platform's rules, and the objects do what the design needs.

No cluster: helm renders the value sets and the objects are read as YAML. The rules themselves are in
policy.py (the helm check runs them too); here each value set is checked, each rule is shown to catch
what it should, and the wiring the design asks for is checked object by object.
"""

from __future__ import annotations

import copy
import json

import pytest

from tests.deploy import policy
from tests.deploy.conftest import (
    SERVICES,
    VALUE_SETS,
    RenderError,
    container,
    find,
    one,
)

CONSUMERS = ("intake", "routing", "notification", "feedback")


@pytest.mark.parametrize("value_set", VALUE_SETS)
def test_every_object_keeps_the_rules(rendered, value_set):
    assert policy.problems_in((value_set, doc) for doc in rendered[value_set]) == []


@pytest.mark.parametrize("value_set", VALUE_SETS)
def test_every_container_is_locked_down_and_sized(rendered, value_set):
    workloads = [d for d in rendered[value_set] if d["kind"] in ("Deployment", "Job")]
    assert workloads
    for workload in workloads:
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        for c in pod.get("initContainers", []) + pod["containers"]:
            sc = c["securityContext"]
            assert sc["runAsNonRoot"] is True and sc["runAsUser"] == 10001, c["name"]
            assert sc["readOnlyRootFilesystem"] is True, c["name"]
            assert sc["capabilities"] == {"drop": ["ALL"]}, c["name"]
            assert set(c["resources"]["limits"]) == set(c["resources"]["requests"]) == {"cpu", "memory"}, c["name"]
            if workload["kind"] == "Deployment" and c in pod["containers"]:
                assert {"startupProbe", "livenessProbe", "readinessProbe"} <= c.keys(), c["name"]


def deployment(rendered, value_set="default", name="routing-server"):
    return copy.deepcopy(one(rendered[value_set], "Deployment", name))


@pytest.mark.parametrize(("break_it", "rule", "problem"), [
    (lambda c, p: c["securityContext"].update(runAsNonRoot=False), policy.check_container_security, "root"),
    (lambda c, p: c["securityContext"].update(readOnlyRootFilesystem=False), policy.check_container_security,
     "root filesystem"),
    (lambda c, p: c["securityContext"]["capabilities"].update(add=["NET_ADMIN"]), policy.check_container_security,
     "capabilities"),
    (lambda c, p: c["resources"]["limits"].pop("memory"), policy.check_resources, "limits"),
    (lambda c, p: c.pop("readinessProbe"), policy.check_probes, "readinessProbe"),
    (lambda c, p: c.update(image="motcua/routing:latest"), policy.check_image, "not pinned"),
    (lambda c, p: c.update(image="motcua/routing"), policy.check_image, "not pinned"),
    (lambda c, p: c["env"].append({"name": "MOTCUA_SMTP_PASSWORD", "value": "x"}), policy.check_secrets, "Secret"),
    (lambda c, p: p["securityContext"].update(runAsUser=0), policy.check_pod_security, "uid"),
    (lambda c, p: p.update(automountServiceAccountToken=True), policy.check_pod_security, "token"),
    (lambda c, p: p.pop("topologySpreadConstraints"), policy.check_spread_and_budget, "spread"),
])
def test_each_rule_catches_what_it_should(rendered, break_it, rule, problem):
    doc = deployment(rendered)
    assert rule(doc) == []
    break_it(container(doc), doc["spec"]["template"]["spec"])
    assert any(problem in found for found in rule(doc)), rule(doc)


def test_the_init_container_is_held_to_the_same_rules(rendered):
    doc = deployment(rendered)
    doc["spec"]["template"]["spec"]["initContainers"][0]["resources"] = {}
    assert policy.check_resources(doc)


def test_rules_catch_a_rendered_secret_and_an_open_network_policy(rendered):
    secret = {"kind": "Secret", "metadata": {"name": "x"}, "data": {"url": "bW9uZ28="}}
    assert policy.check_secrets(secret)
    netpol = copy.deepcopy(one(rendered["default"], "NetworkPolicy", "routing"))
    assert policy.check_network_policy(netpol) == []
    netpol["spec"]["egress"].append({"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]})
    assert policy.check_network_policy(netpol)


def test_every_service_has_its_objects(rendered):
    docs = rendered["default"]
    for service in SERVICES:
        for kind in ("ConfigMap", "Service", "ServiceAccount", "NetworkPolicy"):
            one(docs, kind, service)
        one(docs, "Deployment", f"{service}-server")
        one(docs, "PodDisruptionBudget", f"{service}-server")
        assert one(docs, "ServiceAccount", service)["automountServiceAccountToken"] is False
    for service in CONSUMERS:
        one(docs, "Deployment", f"{service}-worker")
    assert not find(docs, "Deployment", "signing-worker")


def test_servers_serve_and_workers_consume(rendered):
    docs = rendered["default"]
    for service in CONSUMERS:
        server, worker = (container(one(docs, "Deployment", f"{service}-{c}")) for c in ("server", "worker"))
        assert server["args"] == ["serve"] and worker["args"] == ["worker"]
        assert [p["name"] for p in server["ports"]] == ["http", "grpc"]
        assert [p["name"] for p in worker["ports"]] == ["http"]
        assert server["readinessProbe"]["grpc"]["port"] == server["ports"][1]["containerPort"]
        assert worker["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert server["livenessProbe"]["httpGet"]["path"] == worker["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container(one(docs, "Deployment", "signing-server"))["args"] == ["serve"]


def test_a_service_without_its_worker_consumes_in_the_server(rendered):
    docs = rendered["monitoring"]
    assert not find(docs, "Deployment", "feedback-worker")
    assert container(one(docs, "Deployment", "feedback-server"))["args"] == ["all"]


def test_pods_wait_for_kafka_and_mongodb_first(rendered):
    pod = deployment(rendered, "production", "notification-worker")["spec"]["template"]["spec"]
    (wait,) = pod["initContainers"]
    assert wait["name"] == "wait-for-dependencies" and wait["image"] == pod["containers"][0]["image"]
    assert wait["command"][:2] == ["python", "-c"] and "MONGO_URL" in wait["command"][2]
    assert wait["env"] == pod["containers"][0]["env"]
    assert {m["name"] for m in wait["volumeMounts"]} >= {"tmp", "kafka-ca", "mongo-ca"}


def test_only_intake_and_routing_may_call_signing_over_grpc(rendered):
    docs = rendered["default"]
    ingress = one(docs, "NetworkPolicy", "signing")["spec"]["ingress"]
    (grpc,) = [rule for rule in ingress if rule["ports"] == [{"protocol": "TCP", "port": 50053}]]
    assert grpc["from"] == [{"podSelector": {"matchLabels": {
        "app.kubernetes.io/name": caller, "app.kubernetes.io/part-of": "motcua"}}} for caller in ("intake", "routing")]
    for caller in ("intake", "routing"):
        egress = one(docs, "NetworkPolicy", caller)["spec"]["egress"]
        assert {"ports": [{"port": 50053, "protocol": "TCP"}], "to": [{"podSelector": {"matchLabels": {
            "app.kubernetes.io/name": "signing", "app.kubernetes.io/part-of": "motcua"}}}]} in egress
    for service in ("notification", "feedback"):
        egress = one(docs, "NetworkPolicy", service)["spec"]["egress"]
        assert not any(50053 in [p["port"] for p in rule["ports"]] for rule in egress), service


def test_network_policies_let_out_only_dns_kafka_mongodb_and_what_a_service_needs(rendered):
    docs = rendered["production"]
    for service in SERVICES:
        ports = sorted(p["port"] for rule in one(docs, "NetworkPolicy", service)["spec"]["egress"]
                       for p in rule["ports"])
        extra = {"intake": [50053, 50055], "routing": [50053], "notification": [25, 443, 443]}.get(service, [])
        assert ports == sorted([53, 53, 9093, 27017, *extra]), service
    kafka_rule = next(r for r in one(docs, "NetworkPolicy", "intake")["spec"]["egress"]
                      if r["ports"][0]["port"] == 9093)
    assert kafka_rule["to"] == [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kafka"}}}]


def test_ingress_is_restricted_when_asked(rendered):
    ingress = one(rendered["production"], "NetworkPolicy", "intake")["spec"]["ingress"]
    assert all(rule["from"] for rule in ingress)
    signing = one(rendered["production"], "NetworkPolicy", "signing")["spec"]["ingress"]
    grpc = [r for r in signing if r["ports"][0]["port"] == 50053]
    assert [peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for peer in grpc[0]["from"]] == [
        "intake", "routing"]


def test_intake_may_ask_feedback_for_rating_links_over_grpc(rendered):
    for value_set in ("default", "production"):
        ingress = one(rendered[value_set], "NetworkPolicy", "feedback")["spec"]["ingress"]
        (grpc,) = [rule for rule in ingress if rule["ports"] == [{"protocol": "TCP", "port": 50055}]]
        intake = {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "intake",
                                                  "app.kubernetes.io/part-of": "motcua"}}}
        assert "from" not in grpc or intake in grpc["from"], value_set
        egress = one(rendered[value_set], "NetworkPolicy", "intake")["spec"]["egress"]
        assert {"ports": [{"port": 50055, "protocol": "TCP"}], "to": [{"podSelector": {"matchLabels": {
            "app.kubernetes.io/name": "feedback", "app.kubernetes.io/part-of": "motcua"}}}]} in egress
    assert one(rendered["default"], "ConfigMap", "feedback")["data"]["MOTCUA_FEEDBACK_LINK_ISSUERS"] == "intake"


def test_kafka_tls_and_sasl_reach_the_containers_by_reference(rendered):
    docs = rendered["production"]
    config = one(docs, "ConfigMap", "routing")["data"]
    assert config["MOTCUA_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert config["MOTCUA_KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
    assert config["MOTCUA_KAFKA_SSL_CAFILE"] == "/etc/motcua/kafka-ca/ca.crt"
    env = {e["name"]: e for e in container(one(docs, "Deployment", "routing-server"))["env"]}
    assert env["MOTCUA_KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": "motcua", "key": "password"}
    assert env["MONGO_URL"]["valueFrom"]["secretKeyRef"]["name"] == "motcua-mongo-app"
    assert one(rendered["default"], "ConfigMap", "routing")["data"]["MOTCUA_KAFKA_SECURITY_PROTOCOL"] == "PLAINTEXT"
    no_strimzi = one(rendered["no-strimzi"], "ConfigMap", "intake")["data"]
    assert no_strimzi["MOTCUA_KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"
    assert no_strimzi["MOTCUA_TOPIC_PREFIX"] == no_strimzi["MOTCUA_DATABASE_PREFIX"] == "staging"


def test_the_config_maps_carry_exactly_the_settings_the_services_read(rendered):
    docs = rendered["default"]
    expected = {
        "intake": {"MOTCUA_INTAKE_MAX_ATTACHMENT_BYTES", "MOTCUA_INTAKE_MAX_REQUEST_BYTES", "MOTCUA_INTAKE_PUBLIC_URL",
                   "MOTCUA_INTAKE_LOAD_SEED", "MOTCUA_SIGNING_ADDR", "MOTCUA_SIGNING_TIMEOUT_SECONDS",
                   "MOTCUA_SIGNING_PUBLIC_URL", "MOTCUA_FEEDBACK_ADDR", "MOTCUA_FEEDBACK_TIMEOUT_SECONDS"},
        "routing": {"MOTCUA_SIGNING_ADDR", "MOTCUA_SIGNING_TIMEOUT_SECONDS", "MOTCUA_AGENCY_NAME",
                    "MOTCUA_ROUTING_DUE_SOON_MINUTES", "MOTCUA_ROUTING_SCHEDULER_SECONDS"},
        "signing": {"MOTCUA_SIGNING_PKI_DIR", "MOTCUA_SIGNING_PUBLIC_URL", "MOTCUA_SIGNING_KEY_STORE",
                    "MOTCUA_SIGNING_PKCS11_MODULE", "MOTCUA_SIGNING_PKCS11_LABEL", "MOTCUA_SIGNING_SERVICE_KEYS",
                    "MOTCUA_SIGNING_CONCURRENCY", "MOTCUA_SIGNING_REVOCATION_MAX_AGE"},
        "notification": {"MOTCUA_NOTIFICATION_CHANNELS", "MOTCUA_NOTIFICATION_RETRY_ATTEMPTS",
                         "MOTCUA_NOTIFICATION_RETRY_FIRST_MS", "MOTCUA_NOTIFICATION_RETRY_MAX_MS",
                         "MOTCUA_NOTIFICATION_LEASE_SECONDS", "MOTCUA_NOTIFICATION_RATING_URL", "MOTCUA_NOTIFICATION_QUIET_HOURS",
                         "MOTCUA_NOTIFICATION_RATE_LIMITS", "MOTCUA_NOTIFICATION_CALLBACK_WINDOW_SECONDS", "MOTCUA_NOTIFICATION_SENDERS", "MOTCUA_SMTP_HOST", "MOTCUA_SMTP_PORT", "MOTCUA_SMTP_FROM",
                         "MOTCUA_SMTP_STARTTLS", "MOTCUA_SMTP_TIMEOUT_SECONDS"},
        "feedback": {"MOTCUA_FEEDBACK_PUBLIC_URL", "MOTCUA_FEEDBACK_LINK_DAYS", "MOTCUA_FEEDBACK_RATE_LIMIT",
                     "MOTCUA_FEEDBACK_TRUSTED_PROXIES", "MOTCUA_FEEDBACK_KIOSK_SECONDS", "MOTCUA_FEEDBACK_COMPLAINT_DAYS",
                     "MOTCUA_FEEDBACK_POLICY", "MOTCUA_FEEDBACK_AGENCY_POLICIES", "MOTCUA_FEEDBACK_INDEX_RULES",
                     "MOTCUA_FEEDBACK_INDEX_CACHE_SECONDS", "MOTCUA_FEEDBACK_LINK_ISSUERS"},
    }
    for service, own in expected.items():
        shared = {"KAFKA_BOOTSTRAP_SERVERS", "MOTCUA_KAFKA_SECURITY_PROTOCOL", "MOTCUA_LOG_LEVEL", "MOTCUA_MONGO_SLOW_MS", "MOTCUA_JWT_PUBLIC_KEY", f"MOTCUA_{service.upper()}_HTTP_PORT", f"MOTCUA_{service.upper()}_GRPC_PORT"}
        if service != "signing":  # the one service that consumes no events
            shared |= {"MOTCUA_CONSUMERS", "MOTCUA_INBOX_RETENTION_DAYS"}
        if service in ("routing", "notification"):  # the services whose handlers run in lanes by dossier
            shared.add("MOTCUA_CONSUMER_THREADS")
        assert set(one(docs, "ConfigMap", service)["data"]) == shared | own, service


def test_workers_can_scale_on_kafka_lag(rendered):
    hpa = one(rendered["production"], "HorizontalPodAutoscaler", "notification-worker")
    external = [m["external"] for m in hpa["spec"]["metrics"] if m["type"] == "External"]
    assert external == [{"metric": {"name": "motcua_kafka_consumer_lag",
                                    "selector": {"matchLabels": {"group": "motcua-notification"}}},
                         "target": {"type": "AverageValue", "averageValue": "200"}}]
    assert hpa["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 300
    staged = one(rendered["no-strimzi"], "HorizontalPodAutoscaler", "routing-worker")
    assert staged["spec"]["metrics"][-1]["external"]["metric"]["selector"]["matchLabels"] == {
        "group": "staging.motcua-routing"}
    server = one(rendered["production"], "HorizontalPodAutoscaler", "intake-server")
    assert {m["type"] for m in server["spec"]["metrics"]} == {"Resource"}


def test_production_runs_three_replicas_spread_over_zones(rendered):
    docs = rendered["production"]
    for service in SERVICES:
        hpa = one(docs, "HorizontalPodAutoscaler", f"{service}-server")
        assert hpa["spec"]["minReplicas"] == 3
        spec = one(docs, "Deployment", f"{service}-server")["spec"]
        assert "replicas" not in spec and spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
        zone = spec["template"]["spec"]["topologySpreadConstraints"][0]
        assert zone["topologyKey"] == "topology.kubernetes.io/zone" and zone["whenUnsatisfiable"] == "DoNotSchedule"
    assert all(d["spec"]["template"]["spec"]["containers"][0]["image"].startswith("registry.motcua.example/")
               for d in find(docs, "Deployment"))


def test_service_monitors_name_the_job_after_the_service(rendered):
    docs = rendered["monitoring"]
    for service in SERVICES:
        monitor = one(docs, "ServiceMonitor", service)
        assert monitor["spec"]["jobLabel"] == "app.kubernetes.io/name"
        headless = one(docs, "Service", f"{service}-metrics")
        assert headless["metadata"]["labels"]["app.kubernetes.io/name"] == service
        assert headless["spec"]["clusterIP"] == "None" and "app.kubernetes.io/component" not in headless["spec"]["selector"]


def test_dashboards_are_config_maps_for_the_sidecar(rendered):
    maps = [d for d in rendered["monitoring"] if d["kind"] == "ConfigMap" and "-dashboard-" in d["metadata"]["name"]]
    assert len(maps) == 4
    for config_map in maps:
        assert config_map["metadata"]["labels"]["grafana_dashboard"] == "1"
        (content,) = config_map["data"].values()
        assert json.loads(content)["uid"].startswith("motcua-")
    assert not any("-dashboard-" in d["metadata"]["name"] for d in rendered["default"] if d["kind"] == "ConfigMap")


def test_the_topic_job_runs_before_install_and_upgrade(rendered):
    (job,) = find(rendered["no-strimzi"], "Job")
    annotations = job["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert "hook-succeeded" in annotations["helm.sh/hook-delete-policy"]
    env = {e["name"]: e for e in job["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["MOTCUA_KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == "kafka-motcua-staging"
    assert job["spec"]["template"]["spec"]["containers"][0]["image"] == "registry.motcua.example/motcua/intake:1.4.2"
    assert not find(rendered["default"], "Job") and not find(rendered["production"], "Job")


@pytest.mark.parametrize(("setting", "message"), [
    ({"intake__server__replicaCount": "two"}, "/server/replicaCount"),
    ({"routing__signingAddr": "signing"}, "/signingAddr"),
    ({"global__kafka__sasl__enabled": "true"}, "/global/kafka/sasl/username"),
    ({"intake__securityContext__runAsNonRoot": "false"}, "/securityContext/runAsNonRoot"),
    ({"global__image__tag": "latest"}, 'image tag "latest" is refused'),
    ({"kafkaTopics__strimzi__enabled": "true", "kafkaTopics__job__enabled": "true"}, "not both"),
    ({"notification__smtp__username": "motcua"}, "/smtp/existingSecret"),
    ({"notification__channels": "{zns,email}"}, "zns.existingSecret"),
    ({"notification__channels": "{zns}", "notification__zns__existingSecret": "motcua-zns"}, "zns.templateIds needs"),
    ({"notification__channels": "{sms,fax}"}, "/channels/1"),
    ({"global__kafka__tls__clientSecret": "motcua-user"}, "global.kafka.tls.enabled is false"),
    ({"signing__keyStore__type": "jks"}, "/keyStore/type"),
    ({"signing__serviceKeys": "intake=seal"}, "/serviceKeys"),
    ({"signing__keyStore__pkcs11__module": "libpkcs11.so"}, "/keyStore/pkcs11/module"),
])
def test_bad_values_are_refused_with_a_message_that_names_them(template, setting, message):
    with pytest.raises(RenderError) as refused:
        template(**setting)
    assert message in str(refused.value)


def test_servers_pause_before_stopping_and_workers_do_not(rendered):
    docs = rendered["default"]
    server = container(one(docs, "Deployment", "routing-server"))
    assert server["lifecycle"]["preStop"]["exec"]["command"] == ["sleep", "5"]
    assert "lifecycle" not in container(one(docs, "Deployment", "routing-worker"))
    spec = one(docs, "Deployment", "routing-server")["spec"]
    assert spec["strategy"]["rollingUpdate"] == {"maxSurge": 1, "maxUnavailable": 0}
    assert spec["template"]["spec"]["terminationGracePeriodSeconds"] > 5



def test_a_providers_rate_limit_is_shared_out_among_the_sender_pods(template):
    docs = template(notification__rateLimits__zalo=50, notification__worker__replicaCount=2)
    data = one(docs, "ConfigMap", "notification")["data"]
    assert data["MOTCUA_NOTIFICATION_RATE_LIMITS"] == "zalo=25" and data["MOTCUA_NOTIFICATION_QUIET_HOURS"] == "22:00-07:00"
    scaled = template(notification__rateLimits__zalo=60, notification__worker__autoscaling__enabled="true",
                      notification__worker__autoscaling__maxReplicas=4)
    assert one(scaled, "ConfigMap", "notification")["data"]["MOTCUA_NOTIFICATION_RATE_LIMITS"] == "zalo=15"


def test_the_receipt_secrets_come_from_a_secret(template):
    docs = template(notification__callbacks__existingSecret="motcua-receipts")
    env = {e["name"]: e for e in container(one(docs, "Deployment", "notification-server"))["env"]}
    assert env["MOTCUA_NOTIFICATION_CALLBACK_SECRETS"]["valueFrom"]["secretKeyRef"] == {
        "name": "motcua-receipts", "key": "callbackSecrets"}
    assert "MOTCUA_NOTIFICATION_CALLBACK_SECRETS" not in one(docs, "ConfigMap", "notification")["data"]
