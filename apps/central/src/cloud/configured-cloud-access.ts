/**
 * `ConfiguredCloudAccess`: the CloudAccess of a running central. Per cluster it builds an `AwsCloudProvider`
 * (the cluster's region, its launch template from the settings) and, when the settings name a queue, an
 * `SqsInterruptionSource`, with these credentials:
 * - the settings name a role (`aws_role_arn`): the credentials the `assumeRole` option returns for it, always
 *   with the external id CloudOptim issued to the cluster's customer (external-id.ts) — never one from the
 *   settings or a request (server.ts passes STS AssumeRole, sts-assume-role.ts); without that option such
 *   clusters fail with UNPROCESSABLE rather than silently using the server's own identity;
 * - otherwise the static keys of the config (AWS_ACCESS_KEY_ID/SECRET, the simulator's), else the SDK's
 *   default chain. AWS_ENDPOINT_URL, when set, points every client at that endpoint (the simulator).
 * Clients are cached per cluster and rebuilt when the cluster's settings version changes.
 */
import { AppError } from '@cloudoptim/contracts';
import { AwsCloudProvider, SqsInterruptionSource, type AwsCredentialsOption } from '@cloudoptim/cloud';
import type { Clock, Logger } from '@cloudoptim/runtime';
import type { CentralConfig } from '../config.ts';
import type { ClusterSettingsReader, StoredClusterSettings } from '../settings/cluster-settings.ts';
import type { CloudAccess, ClusterCloud, ClusterCloudTarget } from './cloud-access.ts';
import { externalIdFor } from './external-id.ts';

/** What role assumption needs. */
export interface AssumeRoleInput {
  roleArn: string;
  /** `cloudoptim-<customer id>`, always: the confused-deputy guard (external-id.ts). */
  externalId: string;
  region: string;
  /** `cloudoptim-<cluster id prefix>`: shows in the customer's CloudTrail. */
  sessionName: string;
}

export interface ConfiguredCloudAccessOptions {
  config: Pick<CentralConfig, 'AWS_ENDPOINT_URL' | 'AWS_ACCESS_KEY_ID' | 'AWS_SECRET_ACCESS_KEY'>;
  settings: ClusterSettingsReader;
  clock: Clock;
  log: Logger;
  /** Credentials of a customer's role (a provider the SDK refreshes). Absent: clusters with a role fail UNPROCESSABLE. */
  assumeRole?: (input: AssumeRoleInput) => AwsCredentialsOption;
  /** SDK attempts per call (default 3). */
  maxAttempts?: number;
}

interface Built {
  version: number;
  cloud: ClusterCloud;
  close(): void;
}

export class ConfiguredCloudAccess implements CloudAccess {
  private readonly built = new Map<string, Built>();
  /** The generation a rebuild replaced: closed at the next rebuild, so calls still running on it can finish. */
  private readonly retired = new Map<string, Built>();

  constructor(private readonly options: ConfiguredCloudAccessOptions) {}

  /**
   * The cloud adapters of the cluster. @throws NOT_FOUND when the cluster is not the customer's (from the
   * settings reader); UNPROCESSABLE when its settings name a role and no `assumeRole` was configured.
   */
  async forCluster(target: ClusterCloudTarget): Promise<ClusterCloud> {
    const stored = await this.options.settings.get(target.customerId, target.clusterId);
    // From here on nothing awaits, so two concurrent calls cannot both rebuild.
    const key = `${target.customerId}/${target.clusterId}/${target.region}`;
    const current = this.built.get(key);
    if (current && current.version >= stored.version) return current.cloud;
    const next = this.build(target, stored);
    this.built.set(key, next);
    if (current) {
      this.retired.get(key)?.close();
      this.retired.set(key, current);
    }
    return next.cloud;
  }

  async close(): Promise<void> {
    for (const b of [...this.built.values(), ...this.retired.values()]) b.close();
    this.built.clear();
    this.retired.clear();
  }

  private build(target: ClusterCloudTarget, stored: StoredClusterSettings): Built {
    const { settings } = stored;
    const { config, clock, log } = this.options;
    const credentials = this.credentialsFor(target, stored);
    const base = {
      region: target.region,
      ...(config.AWS_ENDPOINT_URL !== undefined && { endpoint: config.AWS_ENDPOINT_URL }),
      ...(credentials !== undefined && { credentials }),
      maxAttempts: this.options.maxAttempts ?? 3,
    };
    const clusterLog = log.child({ cluster_id: target.clusterId });
    const provider = new AwsCloudProvider({ ...base, clock, log: clusterLog, ...(settings.launch_template_id !== null && { launchTemplate: { launchTemplateId: settings.launch_template_id } }) });
    const interruptions = settings.interruption_queue_url !== null ? new SqsInterruptionSource({ ...base, queueUrl: settings.interruption_queue_url, log: clusterLog }) : null;
    clusterLog.debug({ region: target.region, settings_version: stored.version, role: settings.aws_role_arn !== null, endpoint: config.AWS_ENDPOINT_URL ?? null }, 'cloud clients built');
    return {
      version: stored.version,
      cloud: { provider, interruptions },
      close: () => {
        provider.close();
        interruptions?.close();
      },
    };
  }

  private credentialsFor(target: ClusterCloudTarget, stored: StoredClusterSettings): AwsCredentialsOption | undefined {
    const roleArn = stored.settings.aws_role_arn;
    if (roleArn !== null) {
      if (!this.options.assumeRole) {
        throw new AppError('UNPROCESSABLE', `cluster ${target.clusterId} names the role ${roleArn}, but this server cannot assume roles (no STS credential provider configured)`, { cluster_id: target.clusterId });
      }
      // The id of the customer central acts for (the reader has checked the cluster is theirs), never a value
      // from the settings: a customer naming another's role cannot present that customer's id.
      return this.options.assumeRole({ roleArn, externalId: externalIdFor(target.customerId), region: target.region, sessionName: `cloudoptim-${target.clusterId.slice(0, 8)}` });
    }
    const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = this.options.config;
    if (accessKeyId !== undefined && secretAccessKey !== undefined) return { accessKeyId, secretAccessKey };
    return undefined;
  }
}
