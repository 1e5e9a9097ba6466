{{/* Labels every object of the chart carries. */}}
{{- define "cloudoptim.labels" -}}
app.kubernetes.io/part-of: cloudoptim
app.kubernetes.io/managed-by: Helm
app.kubernetes.io/instance: {{ .Release.Name }}
helm.sh/chart: cloudoptim-{{ .Chart.Version }}
{{- end }}

{{/* The pod security context of both servers: non-root (the images' user 10001), default seccomp. fsGroup
     lets the non-root process read the projected IRSA token on EKS. */}}
{{- define "cloudoptim.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* The container security context of both servers: read-only root filesystem (/tmp is an emptyDir), no
     privilege escalation, no capabilities. */}}
{{- define "cloudoptim.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end }}
