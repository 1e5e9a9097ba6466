/**
 * The gap filler over HTTP: analyse the missing ranges of a scope, start a fill job (202; progress on the
 * stream and at `GET /api/v1/ml/data/jobs/:id`), list jobs.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { z } from 'zod';
import { parseOrThrow } from '@cloudoptim/contracts';
import type { RouteDoc } from '../openapi.ts';
import { GapScopeSchema } from './gap-analysis.ts';
import type { GapFiller } from './gap-filler.ts';
import { GapAnalysisSchema, GapFillJobListQuerySchema, GapFillJobListSchema, GapFillJobParamsSchema, GapFillJobSchema, jobToWire } from './gap-wire.ts';

type Send = <S extends z.ZodType>(reply: FastifyReply, schema: S, value: z.input<S>) => FastifyReply;

export function registerGapRoutes(app: FastifyInstance, docs: RouteDoc[], filler: GapFiller, send: Send): void {
  docs.push({ method: 'post', path: '/api/v1/ml/data/gap-analysis', summary: "Missing days per (region, AZ, type) spot price series over max(the active model's training end, now − lookback_days) in the store and the shipped data", request: 'GapScope', response: 'GapAnalysis', auth: true });
  app.post('/api/v1/ml/data/gap-analysis', async (req, reply) => {
    const scope = parseOrThrow(GapScopeSchema, req.body, 'gap analysis request');
    return send(reply, GapAnalysisSchema, await filler.analyse(scope));
  });

  docs.push({ method: 'post', path: '/api/v1/ml/data/fill-gaps', summary: 'Start a job that fetches the fetchable missing ranges with DescribeSpotPriceHistory and stores them (observed / carried_forward); one job at a time', request: 'GapScope', response: 'GapFillJob', status: 202, auth: true });
  app.post('/api/v1/ml/data/fill-gaps', async (req, reply) => {
    const scope = parseOrThrow(GapScopeSchema, req.body, 'fill-gaps request');
    return send(reply.status(202), GapFillJobSchema, jobToWire(await filler.start(scope)));
  });

  docs.push({ method: 'get', path: '/api/v1/ml/data/jobs', summary: 'The latest gap-fill jobs, newest first', response: 'GapFillJobList', auth: true });
  app.get('/api/v1/ml/data/jobs', async (req, reply) => {
    const { limit } = parseOrThrow(GapFillJobListQuerySchema, req.query ?? {}, 'query string');
    return send(reply, GapFillJobListSchema, { jobs: (await filler.list(limit)).map(jobToWire) });
  });

  docs.push({ method: 'get', path: '/api/v1/ml/data/jobs/:id', summary: 'Progress of a gap-fill job', response: 'GapFillJob', auth: true });
  app.get('/api/v1/ml/data/jobs/:id', async (req, reply) => {
    const { id } = parseOrThrow(GapFillJobParamsSchema, req.params, 'path parameters');
    return send(reply, GapFillJobSchema, jobToWire(await filler.job(id)));
  });
}
