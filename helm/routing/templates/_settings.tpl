{{/*
What routing adds to the settings every service shares; see motcua-lib.serviceSettings. Routing calls
signing over gRPC (to render and sign results), so its pods may reach signing's pods on that port.
*/}}
{{- define "routing.settings" -}}
env:
  MOTCUA_SIGNING_ADDR: {{ .Values.signingAddr | quote }}
  MOTCUA_SIGNING_TIMEOUT_SECONDS: {{ .Values.signingTimeoutSeconds | int | quote }}
  {{- if .Values.signingCredentialsSecret }}
  MOTCUA_SIGNING_CREDENTIALS_FILE: /etc/motcua/signing-credentials/token
  {{- end }}
  MOTCUA_AGENCY_NAME: {{ .Values.agencyName | quote }}
  MOTCUA_ROUTING_DUE_SOON_MINUTES: {{ .Values.dueSoonMinutes | int | quote }}
  MOTCUA_ROUTING_SCHEDULER_SECONDS: {{ .Values.schedulerSeconds | int | quote }}
egress:
  {{- include "motcua-lib.peerEgress" .Values.signingAddr | nindent 2 }}
{{- with .Values.signingCredentialsSecret }}
volumes:
  - name: signing-credentials
    secret:
      secretName: {{ . }}
      defaultMode: 288
volumeMounts:
  - name: signing-credentials
    mountPath: /etc/motcua/signing-credentials
    readOnly: true
{{- end }}
{{- end -}}
