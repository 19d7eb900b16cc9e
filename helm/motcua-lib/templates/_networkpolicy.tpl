{{/*
On by default; only the traffic the design needs.

Ingress:
- the HTTP port (REST, pages, /metrics) from networkPolicy.ingressFrom, or from anywhere when it is
  empty (restrict it to the ingress controller and Prometheus);
- the gRPC port from the motcua services in networkPolicy.grpcCallers (signing: routing) and, when
  networkPolicy.grpcExternal is true (officials' Workbench, agency systems), from ingressFrom too.
Egress: DNS; the Kafka and MongoDB ports (at kafkaTo/mongoTo when given, else at any address, as those
servers live outside the chart); then what the service chart adds (routing: the signing pods' gRPC
port; notification: SMTP) and networkPolicy.extraEgress.
*/}}
{{- define "motcua-lib.networkPolicy" -}}
{{- if .Values.networkPolicy.enabled -}}
{{- $policy := .Values.networkPolicy -}}
{{- $settings := include "motcua-lib.serviceSettings" . | fromYaml -}}
{{- $callers := list -}}
{{- range $policy.grpcCallers -}}
{{- $callers = append $callers (dict "podSelector" (dict "matchLabels" (dict "app.kubernetes.io/name" . "app.kubernetes.io/part-of" "motcua"))) -}}
{{- end -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "motcua-lib.fullname" . }}
  labels:
    {{- include "motcua-lib.labels" (dict "root" .) | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "motcua-lib.selectorLabels" (dict "root" .) | nindent 6 }}
  policyTypes:
    - Ingress
    - Egress
  ingress:
    - ports:
        - protocol: TCP
          port: {{ .Values.ports.http }}
      {{- with $policy.ingressFrom }}
      from:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- if $policy.grpcExternal }}
    - ports:
        - protocol: TCP
          port: {{ .Values.ports.grpc }}
      {{- with $policy.ingressFrom }}
      from:
        {{- toYaml (concat $callers .) | nindent 8 }}
      {{- end }}
    {{- else if $callers }}
    - ports:
        - protocol: TCP
          port: {{ .Values.ports.grpc }}
      from:
        {{- toYaml $callers | nindent 8 }}
    {{- end }}
  egress:
    - ports:
        - protocol: UDP
          port: 53
        - protocol: TCP
          port: 53
    - ports:
        {{- range $policy.kafkaPorts }}
        - protocol: TCP
          port: {{ . }}
        {{- end }}
      {{- with $policy.kafkaTo }}
      to:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    - ports:
        {{- range $policy.mongoPorts }}
        - protocol: TCP
          port: {{ . }}
        {{- end }}
      {{- with $policy.mongoTo }}
      to:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- with concat ($settings.egress | default list) $policy.extraEgress }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end -}}
{{- end -}}

{{/*
An egress rule to the gRPC port of a motcua peer, from its "<Service name>:<port>" address (the
Service name is the peer chart's name, which is also its pods' app.kubernetes.io/name). A service
chart adds it to its settings' "egress" for each peer it calls.
*/}}
{{- define "motcua-lib.peerEgress" -}}
{{- $address := regexSplit ":" . -1 -}}
- to:
    - podSelector:
        matchLabels:
          app.kubernetes.io/name: {{ first $address | quote }}
          app.kubernetes.io/part-of: motcua
  ports:
    - protocol: TCP
      port: {{ last $address | int }}
{{- end -}}
