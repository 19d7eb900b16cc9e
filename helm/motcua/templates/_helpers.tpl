{{/* Labels of the umbrella chart's own objects (topics, rules, dashboards, the topic Job). */}}
{{- define "motcua.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: motcua
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Values.global.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: motcua
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/*
Every topic to create, as a JSON list of {name, partitions, replicas, config}: the event topics of
kafkaTopics.topics, then their dead-letter topics, with global.kafka.topicPrefix applied.
*/}}
{{- define "motcua.topics" -}}
{{- $topics := .Values.kafkaTopics -}}
{{- $prefix := .Values.global.kafka.topicPrefix -}}
{{- $all := list -}}
{{- range $topics.topics -}}
{{- $name := ternary (printf "%s.%s" $prefix .name) .name (ne $prefix "") -}}
{{- $all = append $all (dict "name" $name "partitions" .partitions "replicas" $topics.replicas "config" $topics.config) -}}
{{- end -}}
{{- range $topics.topics -}}
{{- $name := ternary (printf "%s.%s.dlq" $prefix .name) (printf "%s.dlq" .name) (ne $prefix "") -}}
{{- $all = append $all (dict "name" $name "partitions" $topics.dlqPartitions "replicas" $topics.replicas "config" $topics.dlqConfig) -}}
{{- end -}}
{{- if and $topics.strimzi.enabled $topics.job.enabled -}}
{{- fail "kafkaTopics: enable either strimzi (KafkaTopic resources) or job (the topic Job), not both" -}}
{{- end -}}
{{- if lt ($topics.replicas | int) 1 -}}
{{- fail "kafkaTopics.replicas must be at least 1" -}}
{{- end -}}
{{- range (list $topics.config $topics.dlqConfig) -}}
{{- with (index . "min.insync.replicas") -}}
{{- if gt (. | int) ($topics.replicas | int) -}}
{{- fail (printf "kafkaTopics: min.insync.replicas (%v) cannot exceed replicas (%v)" . $topics.replicas) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $all -}}
{{- end -}}

{{/* The image of the topic Job: registry/repository:tag or @digest, like the services' images. */}}
{{- define "motcua.jobImage" -}}
{{- $image := .Values.kafkaTopics.job.image -}}
{{- $repository := $image.repository -}}
{{- with $image.registry | default .Values.global.image.registry -}}
{{- $repository = printf "%s/%s" (trimSuffix "/" .) $image.repository -}}
{{- end -}}
{{- if $image.digest -}}
{{- printf "%s@%s" $repository $image.digest -}}
{{- else -}}
{{- $tag := $image.tag | default .Values.global.image.tag | default .Chart.AppVersion -}}
{{- if eq $tag "latest" -}}
{{- fail "image tag \"latest\" is refused: pin a version (global.image.tag, kafkaTopics.job.image.tag) or a digest" -}}
{{- end -}}
{{- printf "%s:%s" $repository $tag -}}
{{- end -}}
{{- end -}}
