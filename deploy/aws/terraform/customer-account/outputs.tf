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
  description = "Where the external id goes."
  value       = "Cluster setting aws_external_id: the external_id variable of this module (not repeated here)"
}

output "cluster_settings_patch" {
  description = "Body of PATCH /api/v1/admin/clusters/{cluster_id}/settings, with the external id still to fill in."
  value = jsonencode({
    aws_role_arn           = aws_iam_role.central.arn
    aws_external_id        = "<the external_id variable>"
    interruption_queue_url = aws_sqs_queue.interruptions.url
  })
}
