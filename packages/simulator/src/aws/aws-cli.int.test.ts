/**
 * The aws CLI (botocore: its own SigV4 signer and parsers) against the local region. Skipped when `aws` is not
 * on PATH.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { loadMarket, type Market, type SpotPriceHistory } from '@cloudoptim/market';
import { ManualClock } from '@cloudoptim/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsEndpoint, createAwsEndpoint } from './index.ts';

const pexec = promisify(execFile);
const hasAws = (() => {
  try {
    execFileSync('aws', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasAws)('aws CLI against the simulator (skipped without `aws` on PATH)', () => {
  let market: Market;
  let history: SpotPriceHistory;
  let ep: AwsEndpoint;
  let url: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    market = loadMarket();
    history = await market.spotPriceHistory();
    ep = createAwsEndpoint({ clock: new ManualClock(Date.UTC(2026, 0, 3)), market, priceHistory: history, seed: 9 });
    url = (await ep.start()).url;
    // Only the simulator's credentials; no profile or instance metadata lookups.
    env = { ...process.env, AWS_ACCESS_KEY_ID: ep.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: ep.credentials.secretAccessKey, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true', AWS_PAGER: '' };
    delete env.AWS_SESSION_TOKEN;
    delete env.AWS_PROFILE;
  });
  afterAll(async () => {
    await ep?.stop();
  });
  const aws = async (args: string[]) => {
    try {
      const r = await pexec('aws', ['--endpoint-url', url, '--region', 'us-east-1', '--output', 'json', ...args], { env });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };

  // The CLI starts slowly (~1 s per call): independent calls run concurrently.
  it('describe-spot-price-history returns real prices; errors, run-instances and SQS work through botocore', async () => {
    const [r, bad, run, sent] = await Promise.all([
      aws(['ec2', 'describe-spot-price-history', '--instance-types', 'm5.large', '--start-time', '2026-01-02T00:00:00Z', '--max-items', '5']),
      aws(['ec2', 'describe-instances', '--instance-ids', 'i-0123456789abcdef0']),
      aws(['ec2', 'run-instances', '--image-id', 'ami-1', '--instance-type', 'm5.large', '--count', '1', '--instance-market-options', 'MarketType=spot']),
      aws(['sqs', 'send-message', '--queue-url', ep.queueUrl(), '--message-body', 'from the cli']),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { SpotPriceHistory: { AvailabilityZone: string; InstanceType: string; SpotPrice: string; Timestamp: string; ProductDescription: string }[]; NextToken?: string };
    expect(out.SpotPriceHistory).toHaveLength(5);
    expect(out.NextToken).toBeTruthy();
    const replay = ep.spotMarket.replay;
    if (!replay) throw new Error('no replay');
    for (const p of out.SpotPriceHistory) {
      expect(p).toMatchObject({ InstanceType: 'm5.large', ProductDescription: 'Linux/UNIX' });
      const t = Date.parse(p.Timestamp);
      expect(Number(p.SpotPrice)).toBeCloseTo(history.priceAt(p.AvailabilityZone, 'm5.large', replay.toHistoryTime(t)) as number, 9);
    }

    expect(bad.code).toBe(255);
    expect(bad.stderr).toContain("An error occurred (InvalidInstanceID.NotFound) when calling the DescribeInstances operation: The instance ID 'i-0123456789abcdef0' does not exist");

    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { Instances: { InstanceLifecycle: string }[] }).Instances[0]?.InstanceLifecycle).toBe('spot');

    expect(sent.code, sent.stderr).toBe(0);
    const got = await aws(['sqs', 'receive-message', '--queue-url', ep.queueUrl(), '--max-number-of-messages', '10']);
    expect(got.code, got.stderr).toBe(0);
    const bodies = (JSON.parse(got.stdout) as { Messages: { Body: string }[] }).Messages.map((m) => m.Body);
    expect(bodies).toContain('from the cli');
  });
});
