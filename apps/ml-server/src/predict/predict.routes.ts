/**
 * `POST /api/v1/ml/predict/spot-interruption`: one pool or a batch, scored by the model serving now (its
 * version named in every answer). Answers (single pools and batches of up to 100) are cached for a few minutes
 * (Redis or in-process) under the model version and the request: a prediction depends on nothing else, and an
 * activation changes the key.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { parseOrThrow } from '@cloudoptim/contracts';
import type { SpotPriceHistory } from '@cloudoptim/market';
import type { Cache } from '../cache/cache.ts';
import type { RouteDoc } from '../openapi.ts';
import type { PoolRiskScorer } from './pool-risk.ts';
import { predictBatch, predictPool, SpotInterruptionBatchResponseSchema, SpotInterruptionBatchSchema, SpotInterruptionPredictionSchema, SpotPoolQuerySchema } from './spot-interruption.ts';

/** Checks an answer against its schema (a mismatch is a bug: 500) and returns what to send. */
type Checked = <S extends z.ZodType>(schema: S, value: z.input<S>) => z.output<S>;

const PATH = '/api/v1/ml/predict/spot-interruption';
const CACHE_TTL_SECONDS = 300;
/** Larger batches are not cached: hashing and storing a multi-megabyte answer costs more than scoring it. */
const MAX_CACHED_POOLS = 100;

export function registerPredictRoute(app: FastifyInstance, docs: RouteDoc[], o: { scorer: () => PoolRiskScorer; prices: () => Promise<SpotPriceHistory>; cache: Cache; checked: Checked }): void {
  docs.push({ method: 'post', path: PATH, summary: 'Interruption probability of one Spot pool, or of a batch ({"pools": [...]}, at most 10,000); names the model version', request: 'SpotInterruptionRequest', response: 'SpotInterruptionResponse', auth: true });
  app.post(PATH, async (req, reply) => {
    const body = req.body;
    const batch = body !== null && typeof body === 'object' && 'pools' in body;
    const parsed = batch ? parseOrThrow(SpotInterruptionBatchSchema, body, 'spot interruption batch') : parseOrThrow(SpotPoolQuerySchema, body, 'spot interruption request');
    const scorer = o.scorer();
    const cacheable = !('pools' in parsed) || parsed.pools.length <= MAX_CACHED_POOLS;
    const key = cacheable ? `pred:${scorer.modelVersion}:${createHash('sha256').update(JSON.stringify(parsed)).digest('hex')}` : undefined;
    const cached = key === undefined ? undefined : await o.cache.get(key);
    if (cached) return reply.header('content-type', 'application/json; charset=utf-8').send(cached);
    const prices = await o.prices();
    const answer = 'pools' in parsed ? o.checked(SpotInterruptionBatchResponseSchema, { predictions: predictBatch(parsed.pools, scorer, prices) }) : o.checked(SpotInterruptionPredictionSchema, predictPool(parsed, scorer, prices));
    if (key === undefined) return reply.send(answer);
    const text = JSON.stringify(answer);
    await o.cache.set(key, text, CACHE_TTL_SECONDS);
    return reply.header('content-type', 'application/json; charset=utf-8').send(text);
  });
}
