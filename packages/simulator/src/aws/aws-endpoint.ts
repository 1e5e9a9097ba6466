/**
 * `createAwsEndpoint`: the local AWS region — one HTTP server on 127.0.0.1 that speaks EC2 (query protocol,
 * XML) and SQS (JSON 1.0 protocol) to the real SDK v3 and the aws CLI, over an instance model, a queue model,
 * the replayed spot market and the interruption driver. Every request must carry a valid SigV4 signature
 * made with the configured credentials.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRng, type HazardParams, type Market, type RebalanceParams, type Rng, type ShortageParams, type SpotPriceHistory } from '@cloudoptim/market';
import { type Clock, type Logger, silentLogger } from '@cloudoptim/runtime';
import type { Ec2Context } from './ec2-context.ts';
import { Ec2Error } from './ec2-errors.ts';
import { type DelayRange, Ec2InstanceModel, type InstanceState } from './ec2-instances.model.ts';
import { Ec2Handler } from './ec2.handler.ts';
import { type AwsEvent, type AwsEventKind, EventLog } from './event-log.ts';
import { createIdSource } from './ids.ts';
import { InterruptionDriver } from './interruptions.driver.ts';
import { QueryParams } from './query-params.ts';
import { createRegionTopology, type RegionTopology } from './region-topology.ts';
import { type AwsCredentials, type SigV4Failure, verifySigV4 } from './sigv4.ts';
import { SimTimers } from './sim-timers.ts';
import { type PriceReplayConfig, SpotMarket } from './spot-market.ts';
import { serializationError, SqsError } from './sqs-errors.ts';
import { SqsHandler } from './sqs.handler.ts';
import { SqsModel } from './sqs-queues.model.ts';
import { ec2ErrorDocument, ec2ResponseDocument } from './xml.ts';

/** Credentials the simulator hands out when none are configured (AWS's documented example pair). */
export const DEFAULT_SIM_CREDENTIALS: Readonly<AwsCredentials> = Object.freeze({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' });
/** Name of the queue the EventBridge events go to unless configured otherwise. */
export const DEFAULT_EVENT_QUEUE = 'cloudoptim-interruptions';

/** Options of `createAwsEndpoint`. */
export interface AwsEndpointOptions {
  /** All simulated time (boot delays, visibility timeouts, long polls, interruptions). */
  clock: Clock;
  /** Seed of every random draw (default 1); or pass `rng`. */
  seed?: number | string;
  rng?: Rng;
  /** Catalog, on-demand prices and Spot Advisor (`loadMarket()`). */
  market: Market;
  /** Real per-AZ price history (`await market.spotPriceHistory()`); without it DescribeSpotPriceHistory is empty. */
  priceHistory?: SpotPriceHistory;
  /** Default `us-east-1`. */
  region?: string;
  /** Default `DEFAULT_SIM_CREDENTIALS`. */
  credentials?: AwsCredentials;
  /** Default `123456789012`. */
  accountId?: string;
  /** pending → running, simulated ms (default 30–90 s). */
  bootDelay?: DelayRange;
  /** shutting-down → terminated, simulated ms (default 5–30 s). */
  shutdownDelay?: DelayRange;
  terminatedRetentionMs?: number;
  /** How simulated time maps onto the real price history. */
  priceReplay?: PriceReplayConfig;
  hazardParams?: HazardParams;
  /** Capacity-shortage process; `null` turns sampled shortages off. */
  shortages?: ShortageParams | null;
  interruptions?: {
    /** Queue for the EventBridge events (created at construction). Default `cloudoptim-interruptions`. */
    queueName?: string;
    /** Draw interruptions from the hazard (default true). */
    sample?: boolean;
    rebalance?: RebalanceParams | null;
    stateChangeStates?: readonly InstanceState[];
  };
  /** Check signatures with the secret (default true); the access key id is always checked. */
  verifySignatures?: boolean;
  log?: Logger;
}

/** A running (or startable) local AWS region. */
export interface AwsEndpoint {
  /** Listens on 127.0.0.1 (`port` 0 or absent: a free port). */
  start(port?: number): Promise<{ url: string; port: number }>;
  /** Ends long polls, cancels timers and closes the server. */
  stop(): Promise<void>;
  /** `http://127.0.0.1:<port>` once started. */
  readonly url: string | undefined;
  readonly region: string;
  readonly accountId: string;
  /** The credentials clients must sign with (a fresh copy on each read). */
  readonly credentials: AwsCredentials;
  /** Instances: hooks (`onInstanceRunning`, `onInstanceTerminated`, …), `interruptInstance`, `list`, `get`. */
  readonly ec2: Ec2InstanceModel;
  readonly sqs: SqsModel;
  readonly interruptions: InterruptionDriver;
  /** Prices, hazards and shortages in simulated time (`forceShortage` for scenarios). */
  readonly spotMarket: SpotMarket;
  readonly topology: RegionTopology;
  /** URL of a queue on this endpoint (default: the interruption queue). @throws Error before `start`. */
  queueUrl(name?: string): string;
  /** The event log so far (state changes, warnings, rebalances, capacity failures). */
  events(): AwsEvent[];
  /** Subscribes to new event-log entries. */
  onEvent(cb: (e: AwsEvent) => void): () => void;
  /** EC2 actions served. */
  readonly supportedEc2Actions: readonly string[];
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Builds the local region; nothing listens until `start()`. */
export function createAwsEndpoint(options: AwsEndpointOptions): AwsEndpoint {
  const { clock, market } = options;
  const log = options.log ?? silentLogger;
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const credentials = options.credentials ?? DEFAULT_SIM_CREDENTIALS;
  const verifySignatures = options.verifySignatures ?? true;
  const rng = options.rng ?? createRng(options.seed ?? 1);
  const ids = createIdSource(rng);
  const timers = new SimTimers(clock, (err) => log.error({ err }, 'simulated timer failed'));
  const spotMarket = new SpotMarket({
    market,
    region,
    rng: rng.fork('market'),
    nowMs: clock.now(),
    ...(options.priceHistory ? { priceHistory: options.priceHistory } : {}),
    ...(options.priceReplay ? { replay: options.priceReplay } : {}),
    ...(options.hazardParams ? { hazardParams: options.hazardParams } : {}),
    ...(options.shortages !== undefined ? { shortageParams: options.shortages } : {}),
  });
  const zoneNames = spotMarket.historyZones();
  const topology = createRegionTopology(region, zoneNames.length > 0 ? zoneNames : ['a', 'b', 'c'].map((s) => `${region}${s}`));
  const eventLog = new EventLog();
  const ec2 = new Ec2InstanceModel({
    clock, rng: rng.fork('instances'), ids, topology, timers, log,
    ...(options.bootDelay ? { bootDelay: options.bootDelay } : {}),
    ...(options.shutdownDelay ? { shutdownDelay: options.shutdownDelay } : {}),
    ...(options.terminatedRetentionMs !== undefined ? { terminatedRetentionMs: options.terminatedRetentionMs } : {}),
  });
  ec2.onStateChange((i) => {
    eventLog.record({
      timeMs: clock.now(), kind: `instance-${i.state}` as AwsEventKind, instanceId: i.instanceId, instanceType: i.instanceType,
      availabilityZone: i.availabilityZone, lifecycle: i.lifecycle, ...(i.terminationCause && i.state !== 'pending' && i.state !== 'running' ? { cause: i.terminationCause } : {}),
    });
  });
  const sqs = new SqsModel({ clock, ids, region, accountId });
  const queueName = options.interruptions?.queueName ?? DEFAULT_EVENT_QUEUE;
  sqs.createQueue(queueName);
  const interruptions = new InterruptionDriver({
    clock, rng: rng.fork('interruptions'), ids, timers, ec2, sqs, market: spotMarket, log, eventLog, region, accountId, queueName,
    ...(options.interruptions?.rebalance !== undefined ? { rebalance: options.interruptions.rebalance } : {}),
    ...(options.interruptions?.stateChangeStates ? { stateChangeStates: options.interruptions.stateChangeStates } : {}),
    ...(options.interruptions?.sample !== undefined ? { sampleInterruptions: options.interruptions.sample } : {}),
  });
  ec2.setInterruptHandler((id, o) => interruptions.interruptInstance(id, o));
  const ctx: Ec2Context = { clock, ids, model: ec2, spot: spotMarket, market, topology, eventLog, region, accountId, clientTokens: new Map(), zoneCursor: { next: 0 } };
  const ec2Handler = new Ec2Handler(ctx);
  const sqsHandler = new SqsHandler(sqs);

  let server: Server | undefined;
  let origin: string | undefined;

  const sendEc2Error = (res: ServerResponse, requestId: string, err: Ec2Error) => {
    res.writeHead(err.status, { 'Content-Type': 'text/xml;charset=UTF-8', Server: 'AmazonEC2', 'x-amzn-requestid': requestId });
    res.end(ec2ErrorDocument(err.code, err.message, requestId));
  };
  const sendSqsError = (res: ServerResponse, requestId: string, err: SqsError) => {
    const headers: Record<string, string> = { 'Content-Type': 'application/x-amz-json-1.0', 'x-amzn-RequestId': requestId };
    if (err.queryCode) headers['x-amzn-query-error'] = `${err.queryCode};${err.fault}`;
    res.writeHead(err.status, headers);
    res.end(JSON.stringify({ __type: `${err.namespace}#${err.shape}`, message: err.message }));
  };

  const authError = (failure: SigV4Failure, message: string, isSqs: boolean): Ec2Error | SqsError => {
    if (isSqs) {
      switch (failure) {
        case 'missing': return new SqsError('MissingAuthenticationTokenException', 'MissingAuthenticationToken', 403, message, 'com.amazon.coral.service');
        case 'unknown-key': return new SqsError('UnrecognizedClientException', 'InvalidClientTokenId', 403, message, 'com.amazon.coral.service');
        case 'bad-signature': return new SqsError('InvalidSignatureException', 'SignatureDoesNotMatch', 403, message, 'com.amazon.coral.service');
        default: return new SqsError('IncompleteSignatureException', 'IncompleteSignature', 400, message, 'com.amazon.coral.service');
      }
    }
    switch (failure) {
      case 'missing': return new Ec2Error('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
      case 'unknown-key': return new Ec2Error('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
      case 'bad-signature': return new Ec2Error('SignatureDoesNotMatch', message, 403);
      case 'wrong-region':
      case 'wrong-service': return new Ec2Error('AuthFailure', message, 401);
      default: return new Ec2Error('IncompleteSignature', message, 400);
    }
  };

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = ids.requestId();
    const target = req.headers['x-amz-target'];
    const isSqs = typeof target === 'string' && target.startsWith('AmazonSQS.');
    const body = await readBody(req);
    if (body === undefined) {
      const err = isSqs ? new SqsError('RequestEntityTooLarge', 'RequestEntityTooLarge', 413, 'Request is too large.', 'com.amazon.coral.service') : new Ec2Error('RequestEntityTooLarge', 'Request is too large.', 413);
      res.setHeader('Connection', 'close');
      if (err instanceof SqsError) sendSqsError(res, requestId, err);
      else sendEc2Error(res, requestId, err);
      return;
    }
    const auth = verifySigV4({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body }, credentials, { region, service: isSqs ? 'sqs' : 'ec2' });
    const authOk = auth.ok || (!verifySignatures && auth.failure === 'bad-signature');
    if (!authOk && !auth.ok) {
      const err = authError(auth.failure, auth.message, isSqs);
      if (err instanceof SqsError) sendSqsError(res, requestId, err);
      else sendEc2Error(res, requestId, err);
      return;
    }
    const accessKeyId = credentials.accessKeyId;
    if (isSqs) {
      const op = (target as string).slice('AmazonSQS.'.length);
      const ac = new AbortController();
      res.on('close', () => ac.abort());
      try {
        let input: unknown = {};
        const text = body.toString('utf8');
        if (text.trim() !== '') {
          try {
            input = JSON.parse(text);
          } catch {
            throw serializationError('Start of structure or map found where not expected / malformed JSON body.');
          }
        }
        if (input === null || typeof input !== 'object' || Array.isArray(input)) throw serializationError('The request body must be a JSON object.');
        const out = await sqsHandler.handle(op, input as Record<string, unknown>, { origin: origin ?? 'http://127.0.0.1', accessKeyId, signal: ac.signal });
        if (res.destroyed) return;
        res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.0', 'x-amzn-RequestId': requestId });
        res.end(JSON.stringify(out));
      } catch (err) {
        if (!(err instanceof SqsError)) throw err;
        sendSqsError(res, requestId, err);
      }
      return;
    }
    try {
      const q = (req.url ?? '/').indexOf('?');
      const params = req.method === 'GET' || body.length === 0 ? new URLSearchParams(q < 0 ? '' : (req.url ?? '').slice(q + 1)) : new URLSearchParams(body.toString('utf8'));
      const { action, body: xml } = ec2Handler.handle(new QueryParams(params));
      res.writeHead(200, { 'Content-Type': 'text/xml;charset=UTF-8', Server: 'AmazonEC2', 'x-amzn-requestid': requestId });
      res.end(ec2ResponseDocument(action, requestId, xml));
    } catch (err) {
      if (!(err instanceof Ec2Error)) throw err;
      sendEc2Error(res, requestId, err);
    }
  }

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    onRequest(req, res).catch((err: unknown) => {
      log.error({ err, url: req.url }, 'aws endpoint: unexpected error');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const rid = ids.requestId();
      if (typeof req.headers['x-amz-target'] === 'string') sendSqsError(res, rid, new SqsError('InternalError', 'InternalError', 500, 'We encountered an internal error. Please try again.', 'com.amazon.coral.service', 'Receiver'));
      else sendEc2Error(res, rid, new Ec2Error('InternalError', 'An internal error has occurred', 500));
    });
  };

  return {
    async start(port = 0) {
      if (server) throw new Error('aws endpoint already started');
      const s = createServer(handle);
      server = s;
      // Long polls may hold a request for 20 s of simulated time; at 1× that must not trip Node's timeouts.
      s.requestTimeout = 0;
      s.headersTimeout = 60_000;
      s.keepAliveTimeout = 65_000;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => {
          s.off('error', reject);
          resolve();
        });
      });
      const actual = (s.address() as AddressInfo).port;
      origin = `http://127.0.0.1:${actual}`;
      log.info({ url: origin, region }, 'aws endpoint listening');
      return { url: origin, port: actual };
    },
    async stop() {
      timers.stop();
      sqs.stop();
      interruptions.stop();
      const s = server;
      server = undefined;
      if (!s) return;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      });
    },
    get url() {
      return origin;
    },
    region,
    accountId,
    // A fresh object each time: the SDK annotates the credentials object it is given.
    get credentials() {
      return { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey };
    },
    ec2,
    sqs,
    interruptions,
    spotMarket,
    topology,
    queueUrl(name = queueName) {
      if (!origin) throw new Error('aws endpoint not started: no queue URL yet');
      return sqsHandler.queueUrl(origin, name);
    },
    events: () => eventLog.list(),
    onEvent: (cb) => eventLog.subscribe(cb),
    supportedEc2Actions: ec2Handler.supportedActions,
  };
}

/** Reads the whole body; undefined when it exceeds the limit. */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      if (tooLarge) return;
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
