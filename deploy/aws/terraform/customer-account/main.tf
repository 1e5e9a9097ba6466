# CloudOptim, the customer side of one cluster: the Terraform twin of
# deploy/aws/cloudformation/customer-account.yaml. Deploy it in the cluster's account and region:
# - an IAM role central assumes from the CloudOptim account, only with the external id, holding the
#   least-privilege policy of deploy/aws/iam/central-policy.json (read from that file, so both stay one policy);
# - an SQS queue (encrypted, messages kept 5 minutes: an interruption warning is stale after 2) that EventBridge
#   fills with Spot interruption warnings, rebalance recommendations, instance state changes and AWS Health events.

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  iam_dir    = "${path.module}/../../iam"
  queue_name = "cloudoptim-${var.cluster_name}"

  # The JSON files hold <PLACEHOLDERS>; the CloudFormation template fills the same ones with Fn::Sub.
  central_policy = replace(replace(replace(replace(
    file("${local.iam_dir}/central-policy.json"),
    "<REGION>", data.aws_region.current.name),
    "<ACCOUNT_ID>", data.aws_caller_identity.current.account_id),
    "<CLUSTER_NAME>", var.cluster_name),
  "<NODE_ROLE_ARN>", var.node_role_arn)

  trust_policy = replace(replace(
    file("${local.iam_dir}/customer-role-trust.json"),
    "<CLOUDOPTIM_ACCOUNT_ID>", var.cloudoptim_account_id),
  "<EXTERNAL_ID>", var.external_id)

  # The events central reads from the queue (detail-types as EventBridge sends them).
  event_rules = {
    spot-interruption = {
      source      = "aws.ec2"
      detail_type = "EC2 Spot Instance Interruption Warning"
      description = "CloudOptim - EC2 Spot interruption warnings (2-minute notice) to the interruption queue"
    }
    rebalance-recommendation = {
      source      = "aws.ec2"
      detail_type = "EC2 Instance Rebalance Recommendation"
      description = "CloudOptim - EC2 instance rebalance recommendations to the interruption queue"
    }
    instance-state-change = {
      source      = "aws.ec2"
      detail_type = "EC2 Instance State-change Notification"
      description = "CloudOptim - EC2 instance state changes to the interruption queue"
    }
    health-event = {
      source      = "aws.health"
      detail_type = "AWS Health Event"
      description = "CloudOptim - AWS Health events (scheduled instance retirements) to the interruption queue"
    }
  }
}

resource "aws_sqs_queue" "interruptions" {
  name = local.queue_name
  # An interruption warning comes 2 minutes before the instance goes: older messages only add noise.
  message_retention_seconds = 300
  # A message central could not finish handling comes back after this (SQS's default, written down).
  visibility_timeout_seconds = 30
  receive_wait_time_seconds  = 20
  sqs_managed_sse_enabled    = true
  tags                       = var.tags
}

resource "aws_cloudwatch_event_rule" "interruptions" {
  for_each = local.event_rules

  name_prefix = "cloudoptim-${each.key}-"
  description = each.value.description
  event_pattern = jsonencode({
    source        = [each.value.source]
    "detail-type" = [each.value.detail_type]
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_target" "interruptions" {
  for_each = local.event_rules

  rule      = aws_cloudwatch_event_rule.interruptions[each.key].name
  target_id = "cloudoptim-interruption-queue"
  arn       = aws_sqs_queue.interruptions.arn
}

resource "aws_sqs_queue_policy" "interruptions" {
  queue_url = aws_sqs_queue.interruptions.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "EventBridgeRulesOfThisModule"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "sqs:SendMessage"
        Resource  = aws_sqs_queue.interruptions.arn
        Condition = {
          ArnEquals = { "aws:SourceArn" = [for rule in aws_cloudwatch_event_rule.interruptions : rule.arn] }
        }
      },
      {
        Sid       = "TlsOnly"
        Effect    = "Deny"
        Principal = "*"
        Action    = "sqs:*"
        Resource  = aws_sqs_queue.interruptions.arn
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}

resource "aws_iam_role" "central" {
  name_prefix = "cloudoptim-"
  # Central's own policy may assume roles under this path only (deploy/aws/iam/central-assume-role-policy.json).
  path                 = "/cloudoptim/"
  description          = "Assumed by the CloudOptim control plane (with the external id) to launch and terminate the nodes of ${var.cluster_name} and read its interruption queue"
  max_session_duration = 3600
  assume_role_policy   = local.trust_policy
  tags                 = var.tags
}

resource "aws_iam_role_policy" "central" {
  name   = "cloudoptim-central"
  role   = aws_iam_role.central.id
  policy = local.central_policy
}
