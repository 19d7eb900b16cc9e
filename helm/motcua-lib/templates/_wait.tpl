{{/*
The init container that holds a pod back until a Kafka bootstrap broker accepts a connection and
MongoDB answers a ping, so that a fresh install or a restarted node does not crash-loop the service
while its dependencies come up. It runs the service's own image (Python and pymongo are in it) with
the same settings, and gives up after waitForDependencies.timeoutSeconds.
*/}}
{{- define "motcua-lib.waitScript" -}}
import os, socket, sys, time
from pymongo import MongoClient

deadline = time.monotonic() + int(sys.argv[1])

def kafka():
    errors = []
    for address in os.environ["KAFKA_BOOTSTRAP_SERVERS"].split(","):
        host, _, port = address.strip().rpartition(":")
        try:
            socket.create_connection((host.strip("[]"), int(port)), timeout=3).close()
            return None
        except OSError as error:
            errors.append(f"{address}: {error}")
    return "; ".join(errors)

def mongo():
    try:
        with MongoClient(os.environ["MONGO_URL"], serverSelectionTimeoutMS=3000, connectTimeoutMS=3000) as client:
            client.admin.command("ping")
        return None
    except Exception as error:
        return f"{type(error).__name__}: {error}"[:300]

for name, check in (("Kafka", kafka), ("MongoDB", mongo)):
    while (problem := check()) is not None:
        if time.monotonic() > deadline:
            print(f"gave up waiting for {name}: {problem}", file=sys.stderr)
            sys.exit(1)
        print(f"waiting for {name}: {problem}", flush=True)
        time.sleep(3)
    print(f"{name} is reachable", flush=True)
{{- end -}}

{{/* The init container of a service pod; .root is the service chart's context. */}}
{{- define "motcua-lib.waitContainer" -}}
{{- $root := .root -}}
{{- $wait := $root.Values.waitForDependencies -}}
- name: wait-for-dependencies
  image: {{ include "motcua-lib.image" $root | quote }}
  imagePullPolicy: {{ $root.Values.image.pullPolicy }}
  command:
    - python
    - -c
    - |
      {{- include "motcua-lib.waitScript" . | nindent 6 }}
    - {{ $wait.timeoutSeconds | int | quote }}
  envFrom:
    - configMapRef:
        name: {{ include "motcua-lib.fullname" $root }}
  env:
    {{- include "motcua-lib.secretEnv" $root | nindent 4 }}
  resources:
    {{- toYaml $wait.resources | nindent 4 }}
  securityContext:
    {{- include "motcua-lib.containerSecurityContext" $root | nindent 4 }}
  volumeMounts:
    - name: tmp
      mountPath: /tmp
    {{- with include "motcua-lib.tlsVolumeMounts" $root.Values.global | trim }}
    {{- . | nindent 4 }}
    {{- end }}
{{- end -}}
