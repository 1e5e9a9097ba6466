/**
 * The spot handler fed generated malformed SQS messages mixed with well-formed ones (the generators and the
 * properties: eventbridge-fuzzer.test-support.ts). Properties: `handleBatch` never throws; every message is
 * acknowledged, none left to come back forever; a malformed one is logged with its reason and acted on in no way
 * (no task, no ML call, no Spot event, no launch).
 *
 * FUZZ_RUNS scales the number of batches (default 6 → 60 batches); the reliability benchmark
 * (`npm run bench -- reliability`) runs the long version.
 */
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventBridge } from '../spot-handler/spot-handler.test-support.ts';
import { messageBatch, OUR_NODE, problemsOf, startEventBridgeFuzzer, T0, type EventBridgeFuzzer } from './eventbridge-fuzzer.test-support.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 6) * 10;
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('the spot handler fed malformed messages on $name', (target) => {
  let fuzzer: EventBridgeFuzzer;

  beforeAll(async () => {
    fuzzer = await startEventBridgeFuzzer(target);
  });
  afterAll(() => fuzzer?.close());

  // Found by this suite: each was stored-and-failed, so never acked, and came back after every visibility timeout.
  it.each([
    ['an id with a NUL byte', 'id', 'ev\u0000nul'],
    ['an id of a space', 'id', ' '],
    ['a time in year 0000', 'time', '0000-01-01T00:00:00Z'],
  ])('drops a message with %s as malformed, once', async (_what, key, value) => {
    const outcome = await fuzzer.feed([JSON.stringify({ ...eventBridge.warning(OUR_NODE, new Date(T0)), [key]: value })]);
    expect(outcome.unacked).toBe(0);
    expect(outcome.after).toEqual(outcome.before);
    expect(outcome.logged).toEqual([{ level: 'warn', obj: expect.objectContaining({ messageId: outcome.ids[0], reason: expect.stringContaining(key) }), msg: 'spot handler: malformed message dropped' }]);
  });

  it('never throws, acknowledges every message, and acts on no malformed one', async () => {
    await fc.assert(
      fc.asyncProperty(messageBatch, async (bodies) => {
        expect(problemsOf(await fuzzer.feed(bodies))).toEqual([]);
      }),
      { numRuns: RUNS, endOnFailure: true, ...(SEED !== undefined && { seed: SEED }) },
    );
  }, 300_000);
});
