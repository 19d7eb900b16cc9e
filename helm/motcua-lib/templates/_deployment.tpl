{{/*
One Deployment of a service: component "server" runs `serve` (HTTP + gRPC + outbox relay), component
"worker" runs `worker` (Kafka consumer + outbox relay, HTTP for health and metrics only). A service that
consumes events but has its worker switched off runs `all` in the server, so that its events are
still handled. Per-component values (replicaCount, resources, autoscaling, pdb) are read from
.Values.<component>.
*/}}
{{- define "motcua-lib.role" -}}
{{- if ne .component "server" -}}
worker
{{- else if not (hasKey .root.Values "worker") -}}
serve
{{- else if .root.Values.worker.enabled -}}
serve
{{- else -}}
all
{{- end -}}
{{- end -}}

{{- define "motcua-lib.deployment" -}}
{{- $root := .root -}}
{{- $values := index $root.Values .component -}}
{{- $settings := include "motcua-lib.serviceSettings" $root | fromYaml -}}
{{- $role := include "motcua-lib.role" . -}}
{{- if ge ($root.Values.preStopSleepSeconds | int) ($root.Values.terminationGracePeriodSeconds | int) -}}
{{- fail (printf "preStopSleepSeconds (%v) must be below terminationGracePeriodSeconds (%v)" $root.Values.preStopSleepSeconds $root.Values.terminationGracePeriodSeconds) -}}
{{- end -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "motcua-lib.componentName" . }}
  labels:
    {{- include "motcua-lib.labels" . | nindent 4 }}
spec:
  {{- if not $values.autoscaling.enabled }}
  replicas: {{ $values.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate:
      # A new pod must be ready before an old one goes: no capacity is lost during an upgrade.
      maxSurge: 1
      maxUnavailable: 0
  selector:
    matchLabels:
      {{- include "motcua-lib.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "motcua-lib.labels" . | nindent 8 }}
        {{- with $root.Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        checksum/config: {{ include "motcua-lib.configData" $root | sha256sum }}
        {{- with $root.Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "motcua-lib.serviceAccountName" $root }}
      automountServiceAccountToken: false
      enableServiceLinks: false
      terminationGracePeriodSeconds: {{ $root.Values.terminationGracePeriodSeconds }}
      securityContext:
        {{- include "motcua-lib.podSecurityContext" $root | nindent 8 }}
      {{- with $root.Values.priorityClassName }}
      priorityClassName: {{ . }}
      {{- end }}
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- if $root.Values.waitForDependencies.enabled }}
      initContainers:
        {{- include "motcua-lib.waitContainer" . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ $root.Chart.Name }}
          image: {{ include "motcua-lib.image" $root | quote }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: [{{ $role | quote }}]
          ports:
            - name: http
              containerPort: {{ $root.Values.ports.http }}
              protocol: TCP
            {{- if ne $role "worker" }}
            - name: grpc
              containerPort: {{ $root.Values.ports.grpc }}
              protocol: TCP
            {{- end }}
          envFrom:
            - configMapRef:
                name: {{ include "motcua-lib.fullname" $root }}
          env:
            {{- include "motcua-lib.secretEnv" $root | nindent 12 }}
          {{- include "motcua-lib.probes" . | nindent 10 }}
          {{- if and (ne $role "worker") (gt ($root.Values.preStopSleepSeconds | int) 0) }}
          lifecycle:
            preStop:
              exec:
                command: ["sleep", {{ $root.Values.preStopSleepSeconds | int | toString | quote }}]
          {{- end }}
          resources:
            {{- toYaml $values.resources | nindent 12 }}
          securityContext:
            {{- include "motcua-lib.containerSecurityContext" $root | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            - name: jwt-public-key
              mountPath: {{ include "motcua-lib.jwtDir" $root }}
              readOnly: true
            {{- with include "motcua-lib.tlsVolumeMounts" $root.Values.global | trim }}
            {{- . | nindent 12 }}
            {{- end }}
            {{- with $settings.volumeMounts }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: {{ $root.Values.tmpVolume.sizeLimit }}
        - name: jwt-public-key
          secret:
            secretName: {{ $root.Values.global.jwt.publicKeySecret | required "global.jwt.publicKeySecret is required" }}
            items:
              - key: public.pem
                path: public.pem
        {{- with include "motcua-lib.tlsVolumes" $root.Values.global | trim }}
        {{- . | nindent 8 }}
        {{- end }}
        {{- with $settings.volumes }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- /* matchLabelKeys: only the pods of the same ReplicaSet count, so old pods do not skew a rollout. */}}
      {{- with $root.Values.topologySpread }}
      topologySpreadConstraints:
        {{- range . }}
        - topologyKey: {{ .topologyKey }}
          maxSkew: {{ .maxSkew }}
          whenUnsatisfiable: {{ .whenUnsatisfiable }}
          labelSelector:
            matchLabels:
              {{- include "motcua-lib.selectorLabels" $ | nindent 14 }}
          matchLabelKeys:
            - pod-template-hash
        {{- end }}
      {{- end }}
      {{- with $root.Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end -}}
