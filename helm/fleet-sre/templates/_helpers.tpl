{{/* Name of the release's objects. */}}
{{- define "fleet-sre.fullname" -}}
{{- if contains "fleet-sre" .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-fleet-sre" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels that select this release's pods; Cluster Bootstrap's pod label selector uses the same two. */}}
{{- define "fleet-sre.selectorLabels" -}}
app.kubernetes.io/name: fleet-sre
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "fleet-sre.labels" -}}
{{ include "fleet-sre.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "fleet-sre.serviceAccountName" -}}
{{- if .Values.serviceAccount.name -}}
{{- .Values.serviceAccount.name -}}
{{- else -}}
{{- include "fleet-sre.fullname" . -}}
{{- end -}}
{{- end -}}

{{- define "fleet-sre.secretName" -}}
{{- if .Values.secret.name -}}
{{- .Values.secret.name -}}
{{- else -}}
{{- include "fleet-sre.fullname" . -}}
{{- end -}}
{{- end -}}
