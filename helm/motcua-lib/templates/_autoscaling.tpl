{{/*
HorizontalPodAutoscaler (autoscaling/v2) and PodDisruptionBudget of one component, each rendered only
when enabled in .Values.<component>. The HPA scales on CPU (and memory when set); a worker can also
scale on its consumer group's Kafka lag, read from the external metrics API (prometheus-adapter or
KEDA must serve it). A worker scales usefully only up to its topics' partition count.
*/}}
{{- define "motcua-lib.consumerGroup" -}}
{{- $group := printf "motcua-%s" .Chart.Name -}}
{{- with .Values.global.kafka.topicPrefix -}}
{{- $group = printf "%s.%s" . $group -}}
{{- end -}}
{{- $group -}}
{{- end -}}

{{- define "motcua-lib.hpa" -}}
{{- $autoscaling := (index .root.Values .component).autoscaling -}}
{{- if $autoscaling.enabled -}}
{{- if lt ($autoscaling.maxReplicas | int) ($autoscaling.minReplicas | int) -}}
{{- fail (printf "%s.autoscaling.maxReplicas (%v) must not be below minReplicas (%v)" .component $autoscaling.maxReplicas $autoscaling.minReplicas) -}}
{{- end -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "motcua-lib.componentName" . }}
  labels:
    {{- include "motcua-lib.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "motcua-lib.componentName" . }}
  minReplicas: {{ $autoscaling.minReplicas }}
  maxReplicas: {{ $autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $autoscaling.targetCPUUtilizationPercentage }}
    {{- with $autoscaling.targetMemoryUtilizationPercentage }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ . }}
    {{- end }}
    {{- with $autoscaling.kafkaLag }}
    {{- if .enabled }}
    - type: External
      external:
        metric:
          name: {{ .metricName }}
          selector:
            matchLabels:
              group: {{ include "motcua-lib.consumerGroup" $.root | quote }}
        target:
          type: AverageValue
          averageValue: {{ .targetAverageValue | quote }}
    {{- end }}
    {{- end }}
  {{- with $autoscaling.behavior }}
  behavior:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
{{- end -}}

{{- define "motcua-lib.pdb" -}}
{{- $pdb := (index .root.Values .component).pdb -}}
{{- if $pdb.enabled -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "motcua-lib.componentName" . }}
  labels:
    {{- include "motcua-lib.labels" . | nindent 4 }}
spec:
  maxUnavailable: {{ $pdb.maxUnavailable }}
  # A pod that is not ready protects nothing; letting it be evicted keeps node drains moving.
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector:
    matchLabels:
      {{- include "motcua-lib.selectorLabels" . | nindent 6 }}
{{- end -}}
{{- end -}}
