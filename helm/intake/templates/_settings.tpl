{{/* What intake adds to the settings every service shares; see motcua-lib.serviceSettings. */}}
{{- define "intake.settings" -}}
env:
  MOTCUA_AGENCY_ID: {{ .Values.agencyId | quote }}
  MOTCUA_INTAKE_MAX_ATTACHMENT_BYTES: {{ .Values.maxAttachmentBytes | int64 | quote }}
{{- end -}}
