{{/*
Settings passed to the container as environment variables (12-factor): the plain ones go into a
ConfigMap, the secret ones are read from existing Secrets by reference; no secret value is ever rendered.
*/}}

{{/* Path at which the JWT public key Secret is mounted; its key must be named public.pem. */}}
{{- define "motcua-lib.jwtDir" -}}/etc/motcua/jwt{{- end -}}

{{/* The plain environment as a YAML map, sorted by name; extraEnv may override what the chart sets. */}}
{{- define "motcua-lib.configData" -}}
{{- $service := upper .Chart.Name -}}
{{- $settings := include "motcua-lib.serviceSettings" . | fromYaml -}}
{{- $env := dict
      "KAFKA_BOOTSTRAP_SERVERS" (required "global.kafka.bootstrapServers is required" .Values.global.kafka.bootstrapServers)
      "MOTCUA_LOG_LEVEL" .Values.logLevel
      "MOTCUA_JWT_PUBLIC_KEY" (printf "%s/public.pem" (include "motcua-lib.jwtDir" .))
      (printf "MOTCUA_%s_HTTP_PORT" $service) (.Values.ports.http | int | toString)
      (printf "MOTCUA_%s_GRPC_PORT" $service) (.Values.ports.grpc | int | toString)
-}}
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

{{/* EnvVars read from Secrets: MONGO_URL for every service, then the service's own. */}}
{{- define "motcua-lib.secretEnv" -}}
{{- $settings := include "motcua-lib.serviceSettings" . | fromYaml -}}
- name: MONGO_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.mongo.existingSecret | default .Values.global.mongo.existingSecret | required "global.mongo.existingSecret (or mongo.existingSecret) is required" }}
      key: {{ .Values.mongo.secretKey | default .Values.global.mongo.secretKey | required "global.mongo.secretKey (or mongo.secretKey) is required" }}
{{- with $settings.secretEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}
