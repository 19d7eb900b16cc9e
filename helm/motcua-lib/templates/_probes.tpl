{{/*
Probes on the HTTP port, which the server and the worker both serve: /healthz says the process is alive,
/readyz that MongoDB and Kafka answer. The startup probe gives a slow start time before liveness counts.
*/}}
{{- define "motcua-lib.probes" -}}
startupProbe:
  httpGet:
    path: /healthz
    port: http
  {{- toYaml .Values.probes.startup | nindent 2 }}
livenessProbe:
  httpGet:
    path: /healthz
    port: http
  {{- toYaml .Values.probes.liveness | nindent 2 }}
readinessProbe:
  httpGet:
    path: /readyz
    port: http
  {{- toYaml .Values.probes.readiness | nindent 2 }}
{{- end -}}
