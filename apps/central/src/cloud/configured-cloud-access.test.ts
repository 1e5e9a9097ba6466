import { describe, expect, it } from 'vitest';
import { AwsCloudProvider, SqsInterruptionSource } from '@cloudoptim/cloud';
import { isAppError } from '@cloudoptim/contracts';
import { ManualClock, silentLogger } from '@cloudoptim/runtime';
import { ClusterSettingsSchema, type ClusterSettings, type ClusterSettingsPatch, type ClusterSettingsReader, type StoredClusterSettings } from '../settings/cluster-settings.ts';
import { ConfiguredCloudAccess, type AssumeRoleInput } from './configured-cloud-access.ts';
import { externalIdFor } from './external-id.ts';

const TARGET = { customerId: '11111111-2222-4333-8444-555555555555', clusterId: '3f2a6c1e-7b4d-4e8a-9c0f-1a2b3c4d5e6f', region: 'eu-west-1' };

class MutableSettings implements ClusterSettingsReader {
  private stored: StoredClusterSettings = { clusterId: TARGET.clusterId, customerId: TARGET.customerId, settings: ClusterSettingsSchema.parse({}), version: 1, updatedAt: new Date(0) };
  set(patch: ClusterSettingsPatch): void {
    this.stored = { ...this.stored, settings: { ...this.stored.settings, ...patch }, version: this.stored.version + 1 };
  }
  /** Keys the settings type no longer has (what an old row may still hold), bypassing the schema. */
  setRaw(extra: Record<string, unknown>): void {
    this.stored = { ...this.stored, settings: { ...this.stored.settings, ...extra } as ClusterSettings, version: this.stored.version + 1 };
  }
  async get(): Promise<StoredClusterSettings> {
    return this.stored;
  }
}

function access(settings: ClusterSettingsReader, assumeRole?: (input: AssumeRoleInput) => { accessKeyId: string; secretAccessKey: string }) {
  return new ConfiguredCloudAccess({ config: { AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' }, settings, clock: new ManualClock(), log: silentLogger, ...(assumeRole && { assumeRole }) });
}

describe('ConfiguredCloudAccess', () => {
  it('builds the provider for the cluster region, an SQS source only when a queue is set, and caches per settings version', async () => {
    const settings = new MutableSettings();
    const cloud = access(settings);
    const first = await cloud.forCluster(TARGET);
    expect(first.provider).toBeInstanceOf(AwsCloudProvider);
    expect(first.provider.region).toBe('eu-west-1');
    expect(first.interruptions).toBeNull();
    expect((await cloud.forCluster(TARGET)).provider).toBe(first.provider);

    settings.set({ interruption_queue_url: 'https://sqs.eu-west-1.amazonaws.com/123456789012/cloudoptim', launch_template_id: 'lt-0abc' });
    const second = await cloud.forCluster(TARGET);
    expect(second.provider).not.toBe(first.provider);
    expect(second.interruptions).toBeInstanceOf(SqsInterruptionSource);
    await cloud.close();
  });

  it('assumes the role the settings name, with the external id CloudOptim issued to the customer', async () => {
    const settings = new MutableSettings();
    settings.set({ aws_role_arn: 'arn:aws:iam::123456789012:role/CloudOptim' });
    const asked: AssumeRoleInput[] = [];
    const cloud = access(settings, (input) => {
      asked.push(input);
      return { accessKeyId: 'ASIATEMP', secretAccessKey: 'temp' };
    });
    await cloud.forCluster(TARGET);
    expect(asked).toEqual([{ roleArn: 'arn:aws:iam::123456789012:role/CloudOptim', externalId: 'cloudoptim-11111111-2222-4333-8444-555555555555', region: 'eu-west-1', sessionName: 'cloudoptim-3f2a6c1e' }]);
    await cloud.close();
  });

  it("never presents an external id a customer chose, nor another customer's, even when the settings carry one", async () => {
    // Customer A names customer B's role and, in settings stored before the id was issued, B's external id.
    const other = '99999999-8888-4777-8666-555555555555';
    const settings = new MutableSettings();
    settings.set({ aws_role_arn: 'arn:aws:iam::210987654321:role/CloudOptim' });
    settings.setRaw({ aws_external_id: externalIdFor(other) });
    settings.setRaw({ aws_external_id: 'chosen-by-the-customer' });
    const asked: AssumeRoleInput[] = [];
    const cloud = access(settings, (input) => {
      asked.push(input);
      return { accessKeyId: 'ASIATEMP', secretAccessKey: 'temp' };
    });
    await cloud.forCluster(TARGET);
    settings.setRaw({ aws_external_id: externalIdFor(other) });
    await cloud.forCluster(TARGET);
    expect(asked.map((input) => input.externalId)).toEqual([externalIdFor(TARGET.customerId), externalIdFor(TARGET.customerId)]);
    expect(asked.map((input) => input.externalId)).not.toContain(externalIdFor(other));
    await cloud.close();
  });

  it('refuses a cluster with a role when no role assumption is configured (never the server identity instead)', async () => {
    const settings = new MutableSettings();
    settings.set({ aws_role_arn: 'arn:aws:iam::123456789012:role/CloudOptim' });
    const error = await access(settings).forCluster(TARGET).catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('UNPROCESSABLE');
  });
});
