{{/*
Settings passed to the container as environment variables (12-factor): the plain ones go into a
ConfigMap, the secret ones are read from existing Secrets by reference; no secret value is ever rendered.
*/}}

{{/* Path at which the JWT public key Secret is mounted; its key must be named public.pem. */}}
{{- define "motcua-lib.jwtDir" -}}/etc/motcua/jwt{{- end -}}
{{/* Paths at which the Kafka CA, the Kafka client certificate and the MongoDB CA are mounted. */}}
{{- define "motcua-lib.kafkaCaDir" -}}/etc/motcua/kafka-ca{{- end -}}
{{- define "motcua-lib.kafkaClientDir" -}}/etc/motcua/kafka-client{{- end -}}
{{- define "motcua-lib.mongoCaDir" -}}/etc/motcua/mongo-ca{{- end -}}

{{/*
How to reach Kafka, as a YAML map of plain variables, from a global.kafka dict. The MOTCUA_KAFKA_*
names follow kafka-python's parameters (security_protocol, ssl_cafile, sasl_mechanism, ...).
*/}}
{{- define "motcua-lib.kafkaEnv" -}}
{{- $tls := .tls | default dict -}}
{{- $sasl := .sasl | default dict -}}
{{- if and $tls.clientSecret (not $tls.enabled) -}}
{{- fail "global.kafka.tls.clientSecret is set but global.kafka.tls.enabled is false: enable TLS or drop the client certificate" -}}
{{- end -}}
{{- $transport := ternary "SSL" "PLAINTEXT" (eq true ($tls.enabled | default false)) -}}
{{- $protocol := ternary (printf "SASL_%s" $transport) $transport (eq true ($sasl.enabled | default false)) -}}
KAFKA_BOOTSTRAP_SERVERS: {{ required "global.kafka.bootstrapServers is required" .bootstrapServers | quote }}
{{- with .topicPrefix }}
MOTCUA_TOPIC_PREFIX: {{ . | quote }}
{{- end }}
MOTCUA_KAFKA_SECURITY_PROTOCOL: {{ $protocol | quote }}
{{- if $tls.enabled }}
{{- with $tls.caSecret }}
MOTCUA_KAFKA_SSL_CAFILE: {{ printf "%s/%s" (include "motcua-lib.kafkaCaDir" $) $tls.caKey | quote }}
{{- end }}
{{- with $tls.clientSecret }}
MOTCUA_KAFKA_SSL_CERTFILE: {{ printf "%s/%s" (include "motcua-lib.kafkaClientDir" $) $tls.certKey | quote }}
MOTCUA_KAFKA_SSL_KEYFILE: {{ printf "%s/%s" (include "motcua-lib.kafkaClientDir" $) $tls.keyKey | quote }}
{{- end }}
{{- end }}
{{- if $sasl.enabled }}
MOTCUA_KAFKA_SASL_MECHANISM: {{ $sasl.mechanism | quote }}
MOTCUA_KAFKA_SASL_USERNAME: {{ required "global.kafka.sasl.username is required with SASL" $sasl.username | quote }}
{{- end }}
{{- end -}}

{{/* The Kafka SASL password, from its Secret, as a list of EnvVars (empty without SASL). */}}
{{- define "motcua-lib.kafkaSecretEnv" -}}
{{- $sasl := .sasl | default dict -}}
{{- if $sasl.enabled }}
- name: MOTCUA_KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ required "global.kafka.sasl.passwordSecret is required with SASL" $sasl.passwordSecret }}
      key: {{ $sasl.passwordKey }}
{{- end }}
{{- end -}}

{{/* Volumes with the Kafka CA and client certificate and the MongoDB CA, from global (kafka, mongo). */}}
{{- define "motcua-lib.tlsVolumes" -}}
{{- $tls := .kafka.tls | default dict -}}
{{- if and $tls.enabled $tls.caSecret }}
- name: kafka-ca
  secret:
    secretName: {{ $tls.caSecret }}
    items:
      - key: {{ $tls.caKey }}
        path: {{ $tls.caKey }}
{{- end }}
{{- if and $tls.enabled $tls.clientSecret }}
- name: kafka-client
  secret:
    secretName: {{ $tls.clientSecret }}
    defaultMode: 288
    items:
      - key: {{ $tls.certKey }}
        path: {{ $tls.certKey }}
      - key: {{ $tls.keyKey }}
        path: {{ $tls.keyKey }}
{{- end }}
{{- with (.mongo.tls | default dict).caSecret }}
- name: mongo-ca
  secret:
    secretName: {{ . }}
    items:
      - key: {{ $.mongo.tls.caKey }}
        path: {{ $.mongo.tls.caKey }}
{{- end }}
{{- end -}}

{{- define "motcua-lib.tlsVolumeMounts" -}}
{{- $tls := .kafka.tls | default dict -}}
{{- if and $tls.enabled $tls.caSecret }}
- name: kafka-ca
  mountPath: {{ include "motcua-lib.kafkaCaDir" . }}
  readOnly: true
{{- end }}
{{- if and $tls.enabled $tls.clientSecret }}
- name: kafka-client
  mountPath: {{ include "motcua-lib.kafkaClientDir" . }}
  readOnly: true
{{- end }}
{{- if (.mongo.tls | default dict).caSecret }}
- name: mongo-ca
  mountPath: {{ include "motcua-lib.mongoCaDir" . }}
  readOnly: true
{{- end }}
{{- end -}}

{{/* The plain environment as a YAML map, sorted by name; extraEnv may override what the chart sets. */}}
{{- define "motcua-lib.configData" -}}
{{- $service := upper .Chart.Name -}}
{{- $settings := include "motcua-lib.serviceSettings" . | fromYaml -}}
{{- $env := include "motcua-lib.kafkaEnv" .Values.global.kafka | fromYaml -}}
{{- with .Values.global.mongo.databasePrefix -}}
{{- $_ := set $env "MOTCUA_DATABASE_PREFIX" . -}}
{{- end -}}
{{- $_ := set $env "MOTCUA_LOG_LEVEL" .Values.logLevel -}}
{{- with .Values.consumers -}}
{{- $_ := set $env "MOTCUA_CONSUMERS" (. | int | toString) -}}
{{- end -}}
{{- with .Values.consumerThreads -}}
{{- $_ := set $env "MOTCUA_CONSUMER_THREADS" (. | int | toString) -}}
{{- end -}}
{{- with .Values.inboxRetentionDays -}}
{{- $_ := set $env "MOTCUA_INBOX_RETENTION_DAYS" (. | int | toString) -}}
{{- end -}}
{{- $_ = set $env "MOTCUA_MONGO_SLOW_MS" (.Values.global.mongo.slowCommandMs | int | toString) -}}
{{- $_ = set $env "MOTCUA_JWT_PUBLIC_KEY" (printf "%s/public.pem" (include "motcua-lib.jwtDir" .)) -}}
{{- $_ = set $env (printf "MOTCUA_%s_HTTP_PORT" $service) (.Values.ports.http | int | toString) -}}
{{- $_ = set $env (printf "MOTCUA_%s_GRPC_PORT" $service) (.Values.ports.grpc | int | toString) -}}
{{- $env = mergeOverwrite $env ($settings.env | default dict) (.Values.extraEnv | default dict) -}}
{{- range $name, $value := $env }}
{{ $name }}: {{ $value | toString | quote }}
{{- end }}
{{- end -}}

{{- define "motcua-lib.configMap" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "motcua-lib.fullname" . }}
  labels:
    {{- include "motcua-lib.labels" (dict "root" .) | nindent 4 }}
data:
  {{- include "motcua-lib.configData" . | trim | nindent 2 }}
{{- end -}}

{{/* EnvVars read from Secrets: MONGO_URL for every service, the Kafka SASL password, then the service's own. */}}
{{- define "motcua-lib.secretEnv" -}}
{{- $settings := include "motcua-lib.serviceSettings" . | fromYaml -}}
- name: MONGO_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.mongo.existingSecret | default .Values.global.mongo.existingSecret | required "global.mongo.existingSecret (or mongo.existingSecret) is required" }}
      key: {{ .Values.mongo.secretKey | default .Values.global.mongo.secretKey | required "global.mongo.secretKey (or mongo.secretKey) is required" }}
{{- include "motcua-lib.kafkaSecretEnv" .Values.global.kafka }}
{{- with $settings.secretEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}
