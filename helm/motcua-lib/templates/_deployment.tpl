{{/*
One Deployment of a service: component "server" runs `serve` (HTTP + gRPC + outbox relay), component
"worker" runs `worker` (Kafka consumer + outbox relay, HTTP for health and metrics only).
Per-component values (replicaCount, resources, autoscaling, pdb) are read from .Values.<component>.
*/}}
{{- define "motcua-lib.deployment" -}}
{{- $root := .root -}}
{{- $values := index $root.Values .component -}}
{{- $settings := include "motcua-lib.serviceSettings" $root | fromYaml -}}
{{- $isServer := eq .component "server" -}}
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
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ $root.Chart.Name }}
          image: {{ include "motcua-lib.image" $root | quote }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: [{{ ternary "serve" "worker" $isServer | quote }}]
          ports:
            - name: http
              containerPort: {{ $root.Values.ports.http }}
              protocol: TCP
            {{- if $isServer }}
            - name: grpc
              containerPort: {{ $root.Values.ports.grpc }}
              protocol: TCP
            {{- end }}
          envFrom:
            - configMapRef:
                name: {{ include "motcua-lib.fullname" $root }}
          env:
            {{- include "motcua-lib.secretEnv" $root | nindent 12 }}
          {{- include "motcua-lib.probes" $root | nindent 10 }}
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
        {{- with $settings.volumes }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "motcua-lib.selectorLabels" . | nindent 14 }}
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
