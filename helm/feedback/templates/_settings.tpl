{{/* feedback needs nothing beyond the settings every service shares; see motcua-lib.serviceSettings. */}}
{{- define "feedback.settings" -}}
{{- end -}}
