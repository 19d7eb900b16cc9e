{{/*
On by default. Ingress: only to the service's own HTTP and gRPC ports (from anywhere, or from
networkPolicy.ingressFrom). Egress: DNS; the Kafka and MongoDB ports (those servers live outside the
chart, so any address); the gRPC ports of the other motcua pods in the namespace; then what the service
chart adds (notification: SMTP) and networkPolicy.extraEgress.
*/}}
{{- define "motcua-lib.networkPolicy" -}}
{{- if .Values.networkPolicy.enabled -}}
{{- $policy := .Values.networkPolicy -}}
{{- $settings := include "motcua-lib.serviceSettings" . | fromYaml -}}
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
        - protocol: TCP
          port: {{ .Values.ports.grpc }}
      {{- with $policy.ingressFrom }}
      from:
        {{- toYaml . | nindent 8 }}
      {{- end }}
  egress:
    - ports:
        - protocol: UDP
          port: 53
        - protocol: TCP
          port: 53
    {{- with concat $policy.kafkaPorts $policy.mongoPorts }}
    - ports:
        {{- range . }}
        - protocol: TCP
          port: {{ . }}
        {{- end }}
    {{- end }}
    {{- with $policy.peerGrpcPorts }}
    - to:
        - podSelector:
            matchLabels:
              app.kubernetes.io/part-of: motcua
      ports:
        {{- range . }}
        - protocol: TCP
          port: {{ . }}
        {{- end }}
    {{- end }}
    {{- with concat ($settings.egress | default list) $policy.extraEgress }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end -}}
{{- end -}}
