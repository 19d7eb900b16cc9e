{{/*
Secure defaults: a non-root user with a fixed uid, no privilege escalation, no capabilities, a read-only
root filesystem (an emptyDir is mounted at /tmp) and the runtime's default seccomp profile.
podSecurityContext and securityContext in values are merged over them, for platforms that need it.
*/}}

{{- define "motcua-lib.podSecurityContext" -}}
{{- $defaults := dict
      "runAsNonRoot" true
      "runAsUser" 10001
      "runAsGroup" 10001
      "fsGroup" 10001
      "seccompProfile" (dict "type" "RuntimeDefault")
-}}
{{- toYaml (mergeOverwrite $defaults (deepCopy (.Values.podSecurityContext | default dict))) -}}
{{- end -}}

{{- define "motcua-lib.containerSecurityContext" -}}
{{- $defaults := dict
      "runAsNonRoot" true
      "runAsUser" 10001
      "runAsGroup" 10001
      "allowPrivilegeEscalation" false
      "privileged" false
      "readOnlyRootFilesystem" true
      "capabilities" (dict "drop" (list "ALL"))
      "seccompProfile" (dict "type" "RuntimeDefault")
-}}
{{- toYaml (mergeOverwrite $defaults (deepCopy (.Values.securityContext | default dict))) -}}
{{- end -}}
