{{/* Labels every object of the chart carries. */}}
{{- define "cloudoptim-agent.labels" -}}
app.kubernetes.io/name: cloudoptim-agent
app.kubernetes.io/part-of: cloudoptim
app.kubernetes.io/managed-by: Helm
app.kubernetes.io/instance: {{ .Release.Name }}
helm.sh/chart: cloudoptim-agent-{{ .Chart.Version }}
{{- end }}
