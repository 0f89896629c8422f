{{/* The chart name, shortened to DNS label length. */}}
{{- define "qube.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The prefix of every object's name: RELEASE-qube, or RELEASE when it already says qube. */}}
{{- define "qube.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "qube.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Kubernetes' recommended labels; call with (dict "ctx" $ "component" "control-plane"). */}}
{{- define "qube.labels" -}}
helm.sh/chart: {{ include "qube.chart" .ctx }}
{{ include "qube.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: qube
{{- end }}

{{/* The labels selectors use: they never change across upgrades. */}}
{{- define "qube.selectorLabels" -}}
app.kubernetes.io/name: {{ include "qube.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* An image reference; call with (dict "ctx" $ "image" .Values.controlPlane.image). */}}
{{- define "qube.image" -}}
{{- $tag := default .ctx.Chart.AppVersion .image.tag }}
{{- if .ctx.Values.image.registry }}
{{- printf "%s/%s:%s" .ctx.Values.image.registry .image.repository $tag }}
{{- else }}
{{- printf "%s:%s" .image.repository $tag }}
{{- end }}
{{- end }}

{{- define "qube.controlPlane.fullname" -}}
{{- printf "%s-control-plane" (include "qube.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "qube.nodeAgent.fullname" -}}
{{- printf "%s-node-agent" (include "qube.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "qube.postgresql.fullname" -}}
{{- printf "%s-postgresql" (include "qube.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The database the control plane uses: "external", "bundled" or "embedded" (the image's own PostgreSQL inside each
pod: evaluation only, one replica).
*/}}
{{- define "qube.database.mode" -}}
{{- if and .Values.postgresql.enabled .Values.externalDatabase.url }}
{{- fail "set either externalDatabase.url or postgresql.enabled, not both" }}
{{- else if .Values.externalDatabase.url }}
{{- if not .Values.externalDatabase.existingSecret }}
{{- fail "externalDatabase.url needs externalDatabase.existingSecret: the Secret holding the database user and password" }}
{{- end }}
{{- print "external" }}
{{- else if .Values.postgresql.enabled }}
{{- print "bundled" }}
{{- else }}
{{- if gt (int .Values.controlPlane.replicaCount) 1 }}
{{- fail "controlPlane.replicaCount > 1 needs a shared database: set externalDatabase.url (and existingSecret) or postgresql.enabled=true" }}
{{- end }}
{{- print "embedded" }}
{{- end }}
{{- end }}

{{/* The Secret with the bundled database's user and password. */}}
{{- define "qube.postgresql.secretName" -}}
{{- default (include "qube.postgresql.fullname" .) .Values.postgresql.auth.existingSecret }}
{{- end }}

{{/* The control plane's database environment variables, as QubeMain and Quarkus read them. */}}
{{- define "qube.database.env" -}}
{{- $mode := include "qube.database.mode" . }}
{{- if eq $mode "external" }}
- name: QUARKUS_DATASOURCE_REACTIVE_URL
  value: {{ .Values.externalDatabase.url | quote }}
- name: QUARKUS_DATASOURCE_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ .Values.externalDatabase.existingSecret }}
      key: {{ .Values.externalDatabase.userKey }}
- name: QUARKUS_DATASOURCE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.externalDatabase.existingSecret }}
      key: {{ .Values.externalDatabase.passwordKey }}
{{- else if eq $mode "bundled" }}
- name: QUARKUS_DATASOURCE_REACTIVE_URL
  value: {{ printf "postgresql://%s:5432/%s" (include "qube.postgresql.fullname" .) .Values.postgresql.auth.database | quote }}
- name: QUARKUS_DATASOURCE_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ include "qube.postgresql.secretName" . }}
      key: {{ .Values.postgresql.auth.userKey }}
- name: QUARKUS_DATASOURCE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "qube.postgresql.secretName" . }}
      key: {{ .Values.postgresql.auth.passwordKey }}
{{- end }}
{{- end }}

{{- define "qube.controlPlane.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}{{ include "qube.controlPlane.fullname" . }}{{ else }}default{{ end }}
{{- end }}

{{- define "qube.nodeAgent.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}{{ include "qube.nodeAgent.fullname" . }}{{ else }}default{{ end }}
{{- end }}

{{/* The API URL the node agents use. */}}
{{- define "qube.apiServerUrl" -}}
{{- default (printf "http://%s.%s.svc:%d" (include "qube.controlPlane.fullname" .) .Release.Namespace (int .Values.controlPlane.service.port)) .Values.nodeAgent.apiServerUrl }}
{{- end }}
