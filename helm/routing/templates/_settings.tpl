{{/*
What routing adds to the settings every service shares; see motcua-lib.serviceSettings. Routing calls
signing over gRPC (to render and sign results), so its pods may reach signing's pods on that port.
*/}}
{{- define "routing.settings" -}}
env:
  MOTCUA_SIGNING_ADDR: {{ .Values.signingAddr | quote }}
  MOTCUA_SIGNING_TIMEOUT_SECONDS: {{ .Values.signingTimeoutSeconds | int | quote }}
  MOTCUA_AGENCY_NAME: {{ .Values.agencyName | quote }}
  MOTCUA_ROUTING_DUE_SOON_MINUTES: {{ .Values.dueSoonMinutes | int | quote }}
  MOTCUA_ROUTING_SCHEDULER_SECONDS: {{ .Values.schedulerSeconds | int | quote }}
egress:
  {{- include "motcua-lib.peerEgress" .Values.signingAddr | nindent 2 }}
{{- end -}}
