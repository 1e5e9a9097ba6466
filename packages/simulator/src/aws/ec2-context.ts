/** What the EC2 action handlers share: the models of the region and its fixed facts. */
import type { Market } from '@cloudoptim/market';
import type { Clock } from '@cloudoptim/runtime';
import type { Ec2InstanceModel } from './ec2-instances.model.ts';
import type { EventLog } from './event-log.ts';
import type { IdSource } from './ids.ts';
import type { RegionTopology } from './region-topology.ts';
import type { SpotMarket } from './spot-market.ts';
import type { XmlObject } from './xml.ts';

export interface Ec2Context {
  clock: Clock;
  ids: IdSource;
  model: Ec2InstanceModel;
  spot: SpotMarket;
  market: Market;
  topology: RegionTopology;
  eventLog: EventLog;
  region: string;
  accountId: string;
  /** Answers already given per ClientToken (launches are idempotent by token, as the SDK's retries expect). */
  clientTokens: Map<string, XmlObject>;
  /** Round-robin cursor for launches that name no zone. */
  zoneCursor: { next: number };
}
