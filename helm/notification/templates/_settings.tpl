{{/*
What notification adds to the settings every service shares; see motcua-lib.serviceSettings. The SMTP
password comes from a Secret; the NetworkPolicy lets the pods reach the SMTP port.
*/}}
{{- define "notification.settings" -}}
{{- $smtp := .Values.smtp -}}
{{- if and $smtp.username (not $smtp.existingSecret) -}}
{{- fail "smtp.existingSecret (the Secret with the SMTP password) is required when smtp.username is set" -}}
{{- end -}}
env:
  MOTCUA_SMTP_HOST: {{ $smtp.host | quote }}
  MOTCUA_SMTP_PORT: {{ $smtp.port | int | quote }}
  MOTCUA_SMTP_FROM: {{ $smtp.from | quote }}
  MOTCUA_SMTP_STARTTLS: {{ $smtp.starttls | quote }}
  MOTCUA_SMTP_TIMEOUT_SECONDS: {{ $smtp.timeoutSeconds | int | quote }}
  {{- with $smtp.username }}
  MOTCUA_SMTP_USERNAME: {{ . | quote }}
  {{- end }}
{{- with $smtp.existingSecret }}
secretEnv:
  - name: MOTCUA_SMTP_PASSWORD
    valueFrom:
      secretKeyRef:
        name: {{ . }}
        key: {{ $smtp.passwordKey }}
{{- end }}
egress:
  - ports:
      - protocol: TCP
        port: {{ $smtp.port | int }}
    {{- with $smtp.egressTo }}
    to:
      {{- toYaml . | nindent 6 }}
    {{- end }}
{{- end -}}
