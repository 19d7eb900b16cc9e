{{/*
Prometheus Operator scraping, off by default. Both components serve /metrics on the HTTP port but only
the server pods are behind the main Service, so scraping goes through a headless Service of all pods.
The job label is the service's name (intake, routing, ...) and a component label (server, worker) is
added: the PrometheusRule and the dashboards of the umbrella chart select series by them.
*/}}
{{- define "motcua-lib.serviceMonitor" -}}
{{- if .Values.serviceMonitor.enabled -}}
{{- $metrics := dict "root" . "component" "metrics" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "motcua-lib.componentName" $metrics }}
  labels:
    {{- include "motcua-lib.labels" $metrics | nindent 4 }}
spec:
  clusterIP: None
  selector:
    {{- include "motcua-lib.selectorLabels" (dict "root" .) | nindent 4 }}
  ports:
    - name: http
      port: {{ .Values.ports.http }}
      targetPort: http
      protocol: TCP
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "motcua-lib.fullname" . }}
  labels:
    {{- include "motcua-lib.labels" (dict "root" .) | nindent 4 }}
    {{- with .Values.serviceMonitor.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  jobLabel: app.kubernetes.io/name
  selector:
    matchLabels:
      {{- include "motcua-lib.selectorLabels" $metrics | nindent 6 }}
  endpoints:
    - port: http
      path: /metrics
      interval: {{ .Values.serviceMonitor.interval }}
      scrapeTimeout: {{ .Values.serviceMonitor.scrapeTimeout }}
      relabelings:
        - sourceLabels: [__meta_kubernetes_pod_label_app_kubernetes_io_component]
          targetLabel: component
{{- end -}}
{{- end -}}
