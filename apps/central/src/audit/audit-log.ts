/** One action on a customer's cluster or account, as the audit log records it. */
export interface AuditEntry {
  customerId: string | null;
  clusterId?: string | null;
  /** "user:<email>", "agent:<cluster id>", "system:<worker>". */
  actor: string;
  /** Dotted verb: "cluster.register", "plan.approve", "agent_key.rotate", "instance.terminate" … */
  action: string;
  /** What it acted on ("plan/<id>", "instance/i-…"). */
  target?: string | null;
  /** JSON facts; never secrets. */
  details?: Record<string, unknown>;
  requestId?: string | null;
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
}
