{{/*
What intake adds to the settings every service shares; see motcua-lib.serviceSettings. Intake calls
signing over gRPC (to render and sign the receipt forms) and feedback (for the receipt's rating link), so its
pods may reach those pods on those ports.
*/}}
{{- define "intake.settings" -}}
env:
  MOTCUA_INTAKE_MAX_ATTACHMENT_BYTES: {{ .Values.maxAttachmentBytes | int64 | quote }}
  MOTCUA_INTAKE_MAX_REQUEST_BYTES: {{ .Values.maxRequestBytes | int64 | quote }}
  MOTCUA_INTAKE_PUBLIC_URL: {{ .Values.publicUrl | quote }}
  MOTCUA_INTAKE_LOAD_SEED: {{ .Values.loadSeed | quote }}
  MOTCUA_SIGNING_PUBLIC_URL: {{ .Values.signingPublicUrl | quote }}
  MOTCUA_SIGNING_ADDR: {{ .Values.signingAddr | quote }}
  MOTCUA_SIGNING_TIMEOUT_SECONDS: {{ .Values.signingTimeoutSeconds | int | quote }}
  MOTCUA_FEEDBACK_ADDR: {{ .Values.feedbackAddr | quote }}
  MOTCUA_FEEDBACK_TIMEOUT_SECONDS: {{ .Values.feedbackTimeoutSeconds | int | quote }}
  {{- if .Values.signingCredentialsSecret }}
  MOTCUA_SIGNING_CREDENTIALS_FILE: /etc/motcua/signing-credentials/token
  {{- end }}
egress:
  {{- include "motcua-lib.peerEgress" .Values.signingAddr | nindent 2 }}
  {{- include "motcua-lib.peerEgress" .Values.feedbackAddr | nindent 2 }}
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
