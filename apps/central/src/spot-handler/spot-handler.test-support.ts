/**
 * Recording fakes for the spot handler's tests (ARCHITECTURE convention 5: fakes behind the interfaces, no
 * mocking library): a task queue with idempotency keys, an ML gateway answering from a function, an audit log,
 * a realtime hub and a notifier that remember what they were given, and EventBridge message builders.
 */
import { randomUUID } from 'node:crypto';
import type { CloudProvider, InterruptionSource } from '@cloudoptim/cloud';
import { AppError, TASK_PARAMETER_SCHEMAS, type AdminStreamEvent, type AgentServerEvent, type DecisionRequest, type DecisionResponse, type Task } from '@cloudoptim/contracts';
import type { AuditEntry, AuditLog } from '../audit/audit-log.ts';
import type { CloudAccess, ClusterCloud, ClusterCloudTarget } from '../cloud/cloud-access.ts';
import type { MlGateway } from '../ml/ml-gateway.ts';
import type { NotificationEvent, Notifier } from '../notifications/notifier.ts';
import type { AdminSubscription, RealtimeHub } from '../realtime/realtime-hub.ts';
import { ClusterSettingsSchema, type ClusterSettings, type ClusterSettingsReader, type StoredClusterSettings } from '../settings/cluster-settings.ts';
import type { EnqueueTaskInput, TaskQueue, TaskRecord } from '../tasks/task-queue.ts';

/** A shared, ordered log of what the fakes were asked (to check "drain first"). */
export type CallLog = string[];

export class RecordingTaskQueue implements TaskQueue {
  readonly records: TaskRecord[] = [];
  /** Each enqueue call, with the wall-clock time it happened (performance.now()). */
  readonly calls: { input: EnqueueTaskInput; wallMs: number }[] = [];
  private readonly byKey = new Map<string, TaskRecord>();

  constructor(private readonly log: CallLog = []) {}

  async enqueue(input: EnqueueTaskInput): Promise<TaskRecord> {
    this.calls.push({ input, wallMs: performance.now() });
    this.log.push(`enqueue:${input.taskType}`);
    const key = `${input.clusterId}|${input.idempotencyKey}`;
    const existing = this.byKey.get(key);
    if (existing) return existing;
    const parsed = TASK_PARAMETER_SCHEMAS[input.taskType].safeParse(input.parameters);
    if (!parsed.success) throw new AppError('VALIDATION_FAILED', `bad ${input.taskType} parameters: ${parsed.error.message}`);
    const record: TaskRecord = {
      task: { task_id: randomUUID(), cluster_id: input.clusterId, task_type: input.taskType, parameters: parsed.data, priority: input.priority ?? 5, deadline: input.deadline.toISOString(), created_at: new Date().toISOString(), created_by: input.createdBy } as Task,
      customerId: input.customerId,
      status: 'pending',
      attempts: 0,
      result: null,
      updatedAt: new Date(),
    };
    this.byKey.set(key, record);
    this.records.push(record);
    return record;
  }

  async get(clusterId: string, taskId: string): Promise<TaskRecord | undefined> {
    return this.records.find((r) => r.task.cluster_id === clusterId && r.task.task_id === taskId);
  }

  async cancel(clusterId: string, taskId: string): Promise<TaskRecord | undefined> {
    const r = await this.get(clusterId, taskId);
    if (r) r.status = 'cancelled';
    return r;
  }
}

export class ScriptedMl implements MlGateway {
  readonly requests: DecisionRequest[] = [];

  constructor(
    private readonly answer: (req: DecisionRequest) => DecisionResponse | Promise<DecisionResponse>,
    private readonly log: CallLog = [],
  ) {}

  async decide(request: DecisionRequest): Promise<DecisionResponse> {
    this.requests.push(request);
    this.log.push('ml:decide');
    return this.answer(request);
  }

  async forward(): Promise<{ status: number; body: unknown }> {
    throw new AppError('UNAVAILABLE', 'not in this test');
  }
}

export class RecordingAudit implements AuditLog {
  readonly entries: AuditEntry[] = [];
  async record(entry: AuditEntry): Promise<void> {
    this.entries.push(entry);
  }
}

export class RecordingRealtime implements RealtimeHub {
  readonly admin: { customerId: string; event: AdminStreamEvent }[] = [];
  readonly agent: { clusterId: string; event: AgentServerEvent }[] = [];
  async publishToAgent(clusterId: string, event: AgentServerEvent): Promise<void> {
    this.agent.push({ clusterId, event });
  }
  async publishToAdmins(customerId: string, event: AdminStreamEvent): Promise<void> {
    this.admin.push({ customerId, event });
  }
  subscribeAgent(): () => void {
    return () => undefined;
  }
  subscribeAdmin(_subscription: AdminSubscription): () => void {
    return () => undefined;
  }
  agentConnections(): number {
    return 0;
  }
  async close(): Promise<void> {}
}

export class RecordingNotifier implements Notifier {
  readonly sent: { customerId: string; event: NotificationEvent }[] = [];
  async notify(customerId: string, event: NotificationEvent): Promise<void> {
    this.sent.push({ customerId, event });
  }
}

/** Settings per cluster (defaults for any other cluster). */
export class StaticSettings implements ClusterSettingsReader {
  private readonly byCluster = new Map<string, ClusterSettings>();

  set(clusterId: string, patch: Partial<ClusterSettings>): void {
    this.byCluster.set(clusterId, ClusterSettingsSchema.parse({ ...(this.byCluster.get(clusterId) ?? {}), ...patch }));
  }

  async get(customerId: string, clusterId: string): Promise<StoredClusterSettings> {
    return { customerId, clusterId, settings: this.byCluster.get(clusterId) ?? ClusterSettingsSchema.parse({}), version: 1, updatedAt: new Date(0) };
  }
}

/** The same provider for every cluster, and per cluster the interruption source (if any). */
export class StaticCloud implements CloudAccess {
  readonly sources = new Map<string, InterruptionSource>();
  constructor(readonly provider: CloudProvider) {}
  async forCluster(target: ClusterCloudTarget): Promise<ClusterCloud> {
    return { provider: this.provider, interruptions: this.sources.get(target.clusterId) ?? null };
  }
  async close(): Promise<void> {}
}

const envelope = (detailType: string, instanceId: string, time: Date, detail: Record<string, unknown>, id: string = randomUUID()) => ({
  version: '0',
  id,
  'detail-type': detailType,
  source: 'aws.ec2',
  account: '123456789012',
  time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  region: 'us-east-1',
  resources: [`arn:aws:ec2:us-east-1:123456789012:instance/${instanceId}`],
  detail: { 'instance-id': instanceId, ...detail },
});

/** EventBridge bodies as EC2 sends them (shapes of shared/reference/aws-wire). */
export const eventBridge = {
  warning: (instanceId: string, time: Date, id?: string) => envelope('EC2 Spot Instance Interruption Warning', instanceId, time, { 'instance-action': 'terminate' }, id),
  rebalance: (instanceId: string, time: Date, id?: string) => envelope('EC2 Instance Rebalance Recommendation', instanceId, time, {}, id),
  stateChange: (instanceId: string, state: string, time: Date, id?: string) => envelope('EC2 Instance State-change Notification', instanceId, time, { state }, id),
};
