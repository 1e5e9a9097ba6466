/**
 * The feature modules of central, in registration order. Each declares its routes (and WebSocket endpoints) on
 * the registrar; background work goes into `ctx.workers` from services.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { CentralContext } from './context.ts';
import type { RouteRegistrar } from './http/route.ts';

export type Feature = (routes: RouteRegistrar, app: FastifyInstance, ctx: CentralContext) => Promise<void> | void;

export const FEATURES: Feature[] = [];
