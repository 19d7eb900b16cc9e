{{/*
What feedback adds to the settings every service shares; see motcua-lib.serviceSettings. The key that
signs rating links comes from a Secret only.
*/}}
{{- define "feedback.settings" -}}
env:
  MOTCUA_FEEDBACK_PUBLIC_URL: {{ .Values.publicUrl | quote }}
  MOTCUA_FEEDBACK_LINK_DAYS: {{ .Values.ratingLinks.days | int | quote }}
  MOTCUA_FEEDBACK_LINK_ISSUERS: {{ join "," .Values.ratingLinks.issuers | quote }}
  MOTCUA_FEEDBACK_RATE_LIMIT: {{ .Values.rateLimitPerMinute | int | quote }}
  MOTCUA_FEEDBACK_TRUSTED_PROXIES: {{ .Values.trustedProxies | int | quote }}
  MOTCUA_FEEDBACK_KIOSK_SECONDS: {{ .Values.kioskSessionSeconds | int | quote }}
  MOTCUA_FEEDBACK_COMPLAINT_DAYS: {{ .Values.complaintAnswerDays | int | quote }}
  MOTCUA_FEEDBACK_POLICY: {{ .Values.ratingPolicy.default | quote }}
  {{- $agencies := list }}
  {{- range $agency, $policy := .Values.ratingPolicy.agencies }}
  {{- $agencies = append $agencies (printf "%s=%s" $agency $policy) }}
  {{- end }}
  MOTCUA_FEEDBACK_AGENCY_POLICIES: {{ join ";" $agencies | quote }}
  MOTCUA_FEEDBACK_INDEX_RULES: {{ .Values.indexRules | quote }}
  MOTCUA_FEEDBACK_INDEX_CACHE_SECONDS: {{ .Values.indexCacheSeconds | int | quote }}
secretEnv:
  - name: MOTCUA_FEEDBACK_LINK_SECRET
    valueFrom:
      secretKeyRef:
        name: {{ .Values.ratingLinks.existingSecret | required "ratingLinks.existingSecret is required" }}
        key: {{ .Values.ratingLinks.secretKey | required "ratingLinks.secretKey is required" }}
{{- end -}}
