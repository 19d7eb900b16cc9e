{{/* What routing adds to the settings every service shares; see motcua-lib.serviceSettings. */}}
{{- define "routing.settings" -}}
env:
  MOTCUA_SIGNING_ADDR: {{ .Values.signingAddr | quote }}
{{- end -}}
