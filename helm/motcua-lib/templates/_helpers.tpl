{{/*
Names and labels.

Most templates here take a dict: "root" is the service chart's context (.), "component" is "server" or
"worker" where the object belongs to one Deployment. The name of a service's objects is the chart name,
not prefixed with the release name, so peers reach each other at fixed addresses (signing:50053);
fullnameOverride changes it.
*/}}

{{- define "motcua-lib.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "motcua-lib.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- include "motcua-lib.name" . -}}
{{- end -}}
{{- end -}}

{{/* The name of one component's objects: <fullname>-server, <fullname>-worker. */}}
{{- define "motcua-lib.componentName" -}}
{{- printf "%s-%s" (include "motcua-lib.fullname" .root | trunc 55 | trimSuffix "-") .component -}}
{{- end -}}

{{- define "motcua-lib.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels that select the pods of one release of a service; with a component, of that Deployment only. */}}
{{- define "motcua-lib.selectorLabels" -}}
app.kubernetes.io/name: {{ include "motcua-lib.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end -}}

{{- define "motcua-lib.labels" -}}
helm.sh/chart: {{ include "motcua-lib.chart" .root }}
{{ include "motcua-lib.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Values.image.tag | default .root.Values.global.image.tag | default .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: motcua
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end -}}

{{- define "motcua-lib.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "motcua-lib.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* registry/repository:tag, or @digest when one is given; the chart's tag wins over the global one. */}}
{{- define "motcua-lib.image" -}}
{{- $image := .Values.image -}}
{{- $repository := $image.repository -}}
{{- with $image.registry | default .Values.global.image.registry -}}
{{- $repository = printf "%s/%s" (trimSuffix "/" .) $image.repository -}}
{{- end -}}
{{- if $image.digest -}}
{{- printf "%s@%s" $repository $image.digest -}}
{{- else -}}
{{- $tag := $image.tag | default .Values.global.image.tag | default .Chart.AppVersion -}}
{{- if eq $tag "latest" -}}
{{- fail "image tag \"latest\" is refused: pin a version (global.image.tag, image.tag) or a digest (image.digest)" -}}
{{- end -}}
{{- printf "%s:%s" $repository $tag -}}
{{- end -}}
{{- end -}}

{{/*
What the service chart adds to the shared settings, as YAML: a map "env" (plain settings, into the
ConfigMap), and lists "secretEnv" (EnvVars with secretKeyRef), "volumes", "volumeMounts" and
"egress" (extra NetworkPolicy egress rules). Every service chart defines "<chart name>.settings".
*/}}
{{- define "motcua-lib.serviceSettings" -}}
{{- include (printf "%s.settings" .Chart.Name) . -}}
{{- end -}}
