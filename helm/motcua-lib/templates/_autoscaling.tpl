{{/*
HorizontalPodAutoscaler (autoscaling/v2) and PodDisruptionBudget of one component, each rendered only
when enabled in .Values.<component>. A worker scales usefully only up to its topics' partition count.
*/}}
{{- define "motcua-lib.hpa" -}}
{{- $autoscaling := (index .root.Values .component).autoscaling -}}
{{- if $autoscaling.enabled -}}
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
  selector:
    matchLabels:
      {{- include "motcua-lib.selectorLabels" . | nindent 6 }}
{{- end -}}
{{- end -}}
