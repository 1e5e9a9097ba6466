/**
 * The feature modules of central, in registration order. Each declares its routes (and WebSocket endpoints) on
 * the registrar; background work is listed in workers/central-workers.ts.
 */
import type { FastifyInstance } from 'fastify';
import { auditFeature } from './audit/audit.routes.ts';
import { authFeature } from './auth/auth.routes.ts';
import { clustersFeature } from './clusters/clusters.routes.ts';
import { customersFeature } from './customers/customers.routes.ts';
import { usersFeature } from './customers/users.routes.ts';
import { settingsFeature } from './settings/settings.routes.ts';
import { optimizationsFeature } from './optimizations/optimizations.routes.ts';
import { clientFeature } from './client/client.routes.ts';
import { clusterDataFeature } from './cluster-data/cluster-data.routes.ts';
import { spotEventsFeature } from './spot-events/spot-events.routes.ts';
import { savingsFeature } from './savings/savings.routes.ts';
import { notificationsFeature } from './notifications/notifications.routes.ts';
import { adminStreamFeature } from './realtime/admin-stream.routes.ts';
import { mlAdminFeature } from './models/ml-admin.routes.ts';
import { backtestFeature } from './backtest/backtest.routes.ts';
import { adminUiFeature } from './ui/admin-ui.routes.ts';
import type { CentralContext } from './context.ts';
import type { RouteRegistrar } from './http/route.ts';

export type Feature = (routes: RouteRegistrar, app: FastifyInstance, ctx: CentralContext) => Promise<void> | void;

export const FEATURES: Feature[] = [authFeature, customersFeature, usersFeature, clustersFeature, settingsFeature, auditFeature, optimizationsFeature, clientFeature, clusterDataFeature, spotEventsFeature, savingsFeature, notificationsFeature, adminStreamFeature, mlAdminFeature, backtestFeature, adminUiFeature];
