{{/* Deployment, then HPA and PDB when enabled, of one component; what a service chart's server.yaml renders. */}}
{{- define "motcua-lib.workload" -}}
{{ include "motcua-lib.deployment" . }}
{{- with include "motcua-lib.hpa" . }}
---
{{ . }}
{{- end }}
{{- with include "motcua-lib.pdb" . }}
---
{{ . }}
{{- end }}
{{- end -}}
