variable "cloudoptim_account_id" {
  description = "AWS account id of the CloudOptim control plane (where central runs)."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.cloudoptim_account_id))
    error_message = "cloudoptim_account_id must be a 12-digit AWS account id."
  }
}

variable "external_id" {
  description = "The external id CloudOptim shows in your cluster settings (aws_external_id, read-only): cloudoptim-<customer id>. CloudOptim issues it, one per customer, and always assumes the role with it; you cannot choose it."
  type        = string

  validation {
    condition     = can(regex("^cloudoptim-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.external_id))
    error_message = "external_id must be cloudoptim- followed by your CloudOptim customer id (a lower-case UUID), exactly as the cluster settings show it."
  }
}

variable "node_role_arn" {
  description = "ARN of the IAM role of the cluster's nodes (the role of the instance profile in the launch template CloudOptim launches from). Central may pass this role and no other."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.node_role_arn))
    error_message = "node_role_arn must be an IAM role ARN."
  }
}

variable "cluster_name" {
  description = "Name of the Kubernetes (EKS) cluster, as in its nodes' kubernetes.io/cluster/<name> tag. Names the queue cloudoptim-<name>."
  type        = string

  validation {
    condition     = can(regex("^[0-9A-Za-z][0-9A-Za-z_-]{0,68}$", var.cluster_name))
    error_message = "cluster_name must be letters, digits, - and _ (at most 69, so that the queue name fits SQS's 80)."
  }
}

variable "tags" {
  description = "Tags for every resource this module creates."
  type        = map(string)
  default     = {}
}
