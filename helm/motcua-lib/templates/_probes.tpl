{{/*
Probes of one component. Startup and liveness ask GET /healthz on the HTTP port, which both components
serve: the process is alive. Readiness asks the gRPC health service on a server (it mirrors /readyz:
MongoDB and Kafka answer, and it proves the gRPC server itself is up), and GET /readyz on a worker,
which has no gRPC server. The startup probe gives a slow start time before liveness counts.
*/}}
{{- define "motcua-lib.probes" -}}
{{- $values := .root.Values -}}
startupProbe:
  httpGet:
    path: /healthz
    port: http
  {{- toYaml $values.probes.startup | nindent 2 }}
livenessProbe:
  httpGet:
    path: /healthz
    port: http
  {{- toYaml $values.probes.liveness | nindent 2 }}
readinessProbe:
  {{- if eq .component "server" }}
  grpc:
    port: {{ $values.ports.grpc }}
  {{- else }}
  httpGet:
    path: /readyz
    port: http
  {{- end }}
  {{- toYaml $values.probes.readiness | nindent 2 }}
{{- end -}}
