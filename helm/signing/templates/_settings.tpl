{{/*
What signing adds to the settings every service shares; see motcua-lib.serviceSettings. The key
material comes from Secrets only: the PKCS#12 file and chain mounted read-only, readable by the
pod's group alone (0440 with fsGroup 10001), and the passphrase as an environment variable; with
an HSM, the token's PIN as an environment variable.
*/}}
{{- define "signing.settings" -}}
env:
  MOTCUA_SIGNING_PKI_DIR: {{ .Values.pki.mountPath | quote }}
  MOTCUA_SIGNING_PUBLIC_URL: {{ .Values.publicUrl | quote }}
  MOTCUA_SIGNING_SERVICE_KEYS: {{ .Values.serviceKeys | quote }}
  MOTCUA_SIGNING_CONCURRENCY: {{ .Values.concurrency | int | toString | quote }}
  {{- with .Values.tsaUrl }}
  MOTCUA_SIGNING_TSA_URL: {{ . | quote }}
  {{- end }}
  {{- with .Values.level }}
  MOTCUA_SIGNING_LEVEL: {{ . | quote }}
  {{- end }}
  {{- with .Values.ocspUrl }}
  MOTCUA_SIGNING_OCSP_URL: {{ . | quote }}
  {{- end }}
  MOTCUA_SIGNING_REVOCATION_MAX_AGE: {{ .Values.revocationMaxAge | int | toString | quote }}
  MOTCUA_SIGNING_KEY_STORE: {{ .Values.keyStore.type | upper | quote }}
  {{- if eq .Values.keyStore.type "pkcs11" }}
  MOTCUA_SIGNING_PKCS11_MODULE: {{ .Values.keyStore.pkcs11.module | required "keyStore.pkcs11.module is required" | quote }}
  MOTCUA_SIGNING_PKCS11_LABEL: {{ .Values.keyStore.pkcs11.label | required "keyStore.pkcs11.label is required" | quote }}
  {{- end }}
secretEnv:
  {{- if eq .Values.keyStore.type "pkcs11" }}
  - name: MOTCUA_SIGNING_PKCS11_PIN
    valueFrom:
      secretKeyRef:
        name: {{ .Values.keyStore.pkcs11.pinSecret | required "keyStore.pkcs11.pinSecret is required" }}
        key: {{ .Values.keyStore.pkcs11.pinKey | required "keyStore.pkcs11.pinKey is required" }}
  {{- end }}
  - name: MOTCUA_SIGNING_KEY_PASSPHRASE
    valueFrom:
      secretKeyRef:
        name: {{ .Values.pki.passphraseSecret | required "pki.passphraseSecret is required" }}
        key: {{ .Values.pki.passphraseKey | required "pki.passphraseKey is required" }}
volumes:
  - name: signing-pki
    secret:
      secretName: {{ .Values.pki.existingSecret | required "pki.existingSecret is required" }}
      defaultMode: 288
volumeMounts:
  - name: signing-pki
    mountPath: {{ .Values.pki.mountPath }}
    readOnly: true
{{- end -}}
