output "role_arn" {
  description = "Cluster setting aws_role_arn: the role central assumes."
  value       = aws_iam_role.central.arn
}

output "queue_url" {
  description = "Cluster setting interruption_queue_url: the queue central long-polls."
  value       = aws_sqs_queue.interruptions.url
}

output "queue_arn" {
  description = "ARN of the interruption queue."
  value       = aws_sqs_queue.interruptions.arn
}

output "external_id_hint" {
  description = "Where the external id comes from."
  value       = "The external_id variable of this module is the id CloudOptim issued (cluster settings, aws_external_id, read-only); it is not sent in the settings"
}

output "cluster_settings_patch" {
  description = "Body of PATCH /api/v1/admin/clusters/{cluster_id}/settings (no external id: CloudOptim always uses the one it issued)."
  value = jsonencode({
    aws_role_arn           = aws_iam_role.central.arn
    interruption_queue_url = aws_sqs_queue.interruptions.url
  })
}
