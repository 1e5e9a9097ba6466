/**
 * `WS /api/v1/client/stream`: central pushes AgentServerEvents to the cluster's agent (urgent drains, task nudges,
 * cancellations, settings changes). The agent authenticates with its API key in the Authorization header of the
 * upgrade request (no query-string tokens): a bad key gets the 401 envelope and no socket. Every frame the agent
 * sends is validated (AgentClientEventSchema); a bad one is answered with an error-envelope frame and the
 * connection stays up. `agent_hello` re-sends the cluster's pending urgent tasks (missed while disconnected);
 * `ack` of an `urgent_drain` leases its task to the agent.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { AgentClientEventSchema, AppError, toValidationIssues, type AgentServerEvent } from '@cloudoptim/contracts';
import { httpErrorReply, type Logger } from '@cloudoptim/runtime';
import type { AgentPrincipal } from '../auth/principal.ts';
import type { CentralContext } from '../context.ts';
import { principalFor, type RouteRegistrar } from '../http/route.ts';
import { taskAvailableFrame, urgentDrainFrame } from '../tasks/task-frames.ts';
import { leaseHolderOf } from '../tasks/lease-holder.ts';
import type { LeaseHolder, TaskLeases } from '../tasks/task-leases.ts';

export const CLIENT_STREAM_PATH = '/api/v1/client/stream';
/** Urgent-drain frame ids remembered per connection, so an ack naming only the frame finds its task. */
const REMEMBERED_FRAMES = 1000;

export function registerClientStream(routes: RouteRegistrar, app: FastifyInstance, ctx: CentralContext, leases: TaskLeases): void {
  const holders = new WeakMap<FastifyRequest, LeaseHolder>();
  routes.docs.push({ method: 'GET', path: CLIENT_STREAM_PATH, summary: 'WebSocket: pushed tasks for the agent (AgentServerEvent frames; the agent sends AgentClientEvent frames)', tag: 'client', auth: 'agent', status: 101 });
  app.get(
    CLIENT_STREAM_PATH,
    {
      websocket: true,
      preValidation: async (req) => {
        holders.set(req, leaseHolderOf((await principalFor(ctx.auth, 'agent', undefined, req)) as AgentPrincipal, req));
      },
    },
    (socket, req) => {
      const agent = holders.get(req);
      if (!agent) return socket.close(1008, 'unauthenticated');
      new AgentConnection(socket, agent, ctx, leases, req.id).open();
    },
  );
}

/** One agent's stream: outgoing frames from the realtime hub, incoming frames validated and acted on. */
class AgentConnection {
  private readonly urgentFrames = new Map<string, string>();
  private readonly log: Logger;

  constructor(
    private readonly socket: WebSocket,
    private readonly agent: LeaseHolder,
    private readonly ctx: CentralContext,
    private readonly leases: TaskLeases,
    private readonly requestId: string,
  ) {
    this.log = ctx.log.child({ request_id: requestId, clusterId: agent.clusterId });
  }

  open(): void {
    const unsubscribe = this.ctx.realtime.subscribeAgent(this.agent.clusterId, (event) => this.send(event));
    this.socket.on('close', unsubscribe);
    this.socket.on('error', (error) => this.log.warn({ err: error.message }, 'agent stream error'));
    this.socket.on('message', (data, isBinary) => {
      this.receive(data, isBinary).catch((error: unknown) => this.fail(error));
    });
    this.log.info({ keyId: this.agent.keyId }, 'agent stream connected');
  }

  private send(event: AgentServerEvent): void {
    if (event.type === 'urgent_drain') this.remember(event.id, event.task.task_id);
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(event));
  }

  private remember(frameId: string, taskId: string): void {
    if (this.urgentFrames.size >= REMEMBERED_FRAMES) this.urgentFrames.delete(this.urgentFrames.keys().next().value!);
    this.urgentFrames.set(frameId, taskId);
  }

  private async receive(data: RawData, isBinary: boolean): Promise<void> {
    if (isBinary) throw new AppError('BAD_REQUEST', 'frames must be JSON text', { reason: 'binary_frame' });
    let json: unknown;
    try {
      json = JSON.parse(rawText(data));
    } catch {
      throw new AppError('BAD_REQUEST', 'the frame is not valid JSON', { reason: 'malformed_json' });
    }
    const parsed = AgentClientEventSchema.safeParse(json);
    if (!parsed.success) {
      const issues = toValidationIssues(parsed.error);
      throw new AppError('VALIDATION_FAILED', `the frame is invalid: ${issues[0]?.path || '(root)'}: ${issues[0]?.message ?? 'invalid'}`, { issues });
    }
    const frame = parsed.data;
    if (frame.type === 'agent_hello') {
      if (frame.cluster_id !== this.agent.clusterId) {
        this.fail(new AppError('FORBIDDEN', 'this API key belongs to another cluster than agent_hello names', { cluster_id: frame.cluster_id }));
        this.socket.close(1008, 'cluster_id is not the cluster of this API key');
        return;
      }
      await this.resendUrgent();
      return;
    }
    const taskId = frame.task_id ?? this.urgentFrames.get(frame.ack_id);
    if (!taskId) return;
    const leased = await this.leases.leaseAcknowledged(this.agent, taskId);
    this.log.info({ taskId, leased: leased !== null }, 'urgent task acknowledged');
  }

  private async resendUrgent(): Promise<void> {
    const now = this.ctx.clock.now();
    for (const task of await this.leases.pendingUrgent(this.agent.clusterId)) {
      this.send(task.taskType === 'drain_node' ? urgentDrainFrame(task, now) : taskAvailableFrame(task, now));
    }
  }

  /** Answers with an error-envelope frame; unexpected failures are logged and say only "internal error". */
  private fail(error: unknown): void {
    const reply = httpErrorReply(error, this.requestId, this.ctx.clock.now());
    if (reply.unexpected) this.log.error({ err: error }, 'agent stream frame failed');
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(reply.body));
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}
