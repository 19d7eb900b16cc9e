{{/*
What notification adds to the settings every service shares; see motcua-lib.serviceSettings. The channels
are listed in fallback order; SMS and ZNS settings are rendered only for a listed channel. The SMTP
password, the SMS gateway's API key and the ZNS access token come from Secrets; the NetworkPolicy lets
the pods reach the SMTP port and, for a listed channel, the SMS gateway's and Zalo's ports.
*/}}
{{- define "notification.settings" -}}
{{- $smtp := .Values.smtp -}}
{{- $sms := .Values.sms -}}
{{- $zns := .Values.zns -}}
{{- $channels := .Values.channels -}}
{{- if and $smtp.username (not $smtp.existingSecret) -}}
{{- fail "smtp.existingSecret (the Secret with the SMTP password) is required when smtp.username is set" -}}
{{- end -}}
{{- $smpp := and (has "sms" $channels) (eq $sms.transport "smpp") -}}
{{- if and (has "sms" $channels) (not $smpp) (not $sms.existingSecret) -}}
{{- fail "sms.existingSecret (the Secret with the SMS gateway's API key) is required when channels lists sms" -}}
{{- end -}}
{{- if and $smpp (not .Values.smpp.existingSecret) -}}
{{- fail "smpp.existingSecret (the Secret with the SMPP password) is required when sms.transport is smpp" -}}
{{- end -}}
{{- if has "zns" $channels -}}
{{- if not $zns.existingSecret -}}
{{- fail "zns.existingSecret (the Secret with the Zalo OA access token) is required when channels lists zns" -}}
{{- end -}}
{{- end -}}
{{- $znsIds := list -}}
{{- range $kind, $id := $zns.templateIds -}}
{{- if $id -}}{{- $znsIds = append $znsIds (printf "%s=%v" $kind $id) -}}{{- end -}}
{{- end -}}
{{- /* The senders run in the worker pods (in the server pods when the worker is off): each gets its share. */ -}}
{{- $senders := ternary .Values.worker .Values.server .Values.worker.enabled -}}
{{- $pods := ternary $senders.autoscaling.maxReplicas $senders.replicaCount $senders.autoscaling.enabled -}}
{{- $rates := list -}}
{{- range $provider, $rate := .Values.rateLimits -}}
{{- $rates = append $rates (printf "%s=%s" $provider (divf $rate $pods | toString)) -}}
{{- end -}}
{{- if and (has "zns" $channels) (not $znsIds) -}}
{{- fail "zns.templateIds needs the approved Zalo template id of at least one kind when channels lists zns" -}}
{{- end -}}
env:
  MOTCUA_NOTIFICATION_CHANNELS: {{ join "," $channels | quote }}
  MOTCUA_NOTIFICATION_RETRY_ATTEMPTS: {{ .Values.retry.attempts | int | quote }}
  MOTCUA_NOTIFICATION_RETRY_FIRST_MS: {{ .Values.retry.firstMs | int | quote }}
  MOTCUA_NOTIFICATION_RETRY_MAX_MS: {{ .Values.retry.maxMs | int | quote }}
  MOTCUA_NOTIFICATION_LEASE_SECONDS: {{ .Values.retry.leaseSeconds | int | quote }}
  MOTCUA_NOTIFICATION_RATING_URL: {{ .Values.ratingUrl | quote }}
  MOTCUA_NOTIFICATION_QUIET_HOURS: {{ .Values.quietHours | quote }}
  MOTCUA_NOTIFICATION_RATE_LIMITS: {{ join "," $rates | quote }}
  MOTCUA_NOTIFICATION_CALLBACK_WINDOW_SECONDS: {{ .Values.callbacks.windowSeconds | int | quote }}
  MOTCUA_NOTIFICATION_SENDERS: {{ .Values.senders | int | quote }}
  MOTCUA_SMTP_HOST: {{ $smtp.host | quote }}
  MOTCUA_SMTP_PORT: {{ $smtp.port | int | quote }}
  MOTCUA_SMTP_FROM: {{ $smtp.from | quote }}
  MOTCUA_SMTP_STARTTLS: {{ $smtp.starttls | quote }}
  MOTCUA_SMTP_TIMEOUT_SECONDS: {{ $smtp.timeoutSeconds | int | quote }}
  {{- with $smtp.username }}
  MOTCUA_SMTP_USERNAME: {{ . | quote }}
  {{- end }}
  {{- if has "sms" $channels }}
  MOTCUA_SMS_TRANSPORT: {{ $sms.transport | quote }}
  MOTCUA_SMS_BRANDNAME: {{ $sms.brandname | quote }}
  MOTCUA_SMS_PROVIDER: {{ $sms.provider | quote }}
  {{- if $smpp }}
  MOTCUA_SMPP_HOST: {{ .Values.smpp.host | quote }}
  MOTCUA_SMPP_PORT: {{ .Values.smpp.port | int | quote }}
  MOTCUA_SMPP_SYSTEM_ID: {{ .Values.smpp.systemId | quote }}
  MOTCUA_SMPP_SYSTEM_TYPE: {{ .Values.smpp.systemType | quote }}
  MOTCUA_SMPP_TIMEOUT_SECONDS: {{ .Values.smpp.timeoutSeconds | int | quote }}
  {{- else }}
  MOTCUA_SMS_URL: {{ $sms.url | quote }}
  MOTCUA_SMS_TIMEOUT_SECONDS: {{ $sms.timeoutSeconds | int | quote }}
  {{- end }}
  {{- end }}
  {{- if has "zns" $channels }}
  MOTCUA_ZNS_URL: {{ $zns.url | quote }}
  MOTCUA_ZNS_TEMPLATE_IDS: {{ join "," $znsIds | quote }}
  MOTCUA_ZNS_TIMEOUT_SECONDS: {{ $zns.timeoutSeconds | int | quote }}
  {{- end }}
secretEnv:
  {{- with .Values.callbacks.existingSecret }}
  - name: MOTCUA_NOTIFICATION_CALLBACK_SECRETS
    valueFrom:
      secretKeyRef:
        name: {{ . }}
        key: {{ $.Values.callbacks.secretsKey }}
  {{- end }}
  {{- with $smtp.existingSecret }}
  - name: MOTCUA_SMTP_PASSWORD
    valueFrom:
      secretKeyRef:
        name: {{ . }}
        key: {{ $smtp.passwordKey }}
  {{- end }}
  {{- if $smpp }}
  - name: MOTCUA_SMPP_PASSWORD
    valueFrom:
      secretKeyRef:
        name: {{ .Values.smpp.existingSecret }}
        key: {{ .Values.smpp.passwordKey }}
  {{- else if has "sms" $channels }}
  - name: MOTCUA_SMS_API_KEY
    valueFrom:
      secretKeyRef:
        name: {{ $sms.existingSecret }}
        key: {{ $sms.apiKeyKey }}
  {{- end }}
  {{- if has "zns" $channels }}
  - name: MOTCUA_ZNS_ACCESS_TOKEN
    valueFrom:
      secretKeyRef:
        name: {{ $zns.existingSecret }}
        key: {{ $zns.accessTokenKey }}
  {{- end }}
egress:
  - ports:
      - protocol: TCP
        port: {{ $smtp.port | int }}
    {{- with $smtp.egressTo }}
    to:
      {{- toYaml . | nindent 6 }}
    {{- end }}
  {{- range $name := list "sms" "zns" }}
  {{- if has $name $channels }}
  {{- $channel := index $.Values (ternary "smpp" $name (and (eq $name "sms") $smpp)) }}
  - ports:
      - protocol: TCP
        port: {{ $channel.egressPort | default $channel.port | int }}
    {{- with $channel.egressTo }}
    to:
      {{- toYaml . | nindent 6 }}
    {{- end }}
  {{- end }}
  {{- end }}
{{- end -}}
