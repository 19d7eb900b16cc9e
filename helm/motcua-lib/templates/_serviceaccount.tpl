{{/* The services do not call the Kubernetes API, so no token is mounted. */}}
{{- define "motcua-lib.serviceAccount" -}}
{{- if .Values.serviceAccount.create -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "motcua-lib.serviceAccountName" . }}
  labels:
    {{- include "motcua-lib.labels" (dict "root" .) | nindent 4 }}
  {{- with .Values.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: false
{{- end -}}
{{- end -}}
