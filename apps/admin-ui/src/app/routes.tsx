/** The console's pages: path, title, navigation entry (role-aware) and what to render. */
import type { ReactNode } from 'react';
import { BacktestPage } from '../features/backtest/BacktestPage.tsx';
import { ClusterDetailPage } from '../features/clusters/ClusterDetailPage.tsx';
import { ClustersPage } from '../features/clusters/ClustersPage.tsx';
import { GapFillerPage } from '../features/gap-filler/GapFillerPage.tsx';
import { ModelsPage } from '../features/models/ModelsPage.tsx';
import { OfficeHoursPage } from '../features/office-hours/OfficeHoursPage.tsx';
import { OptimizationsPage, PlanPage } from '../features/optimizations/OptimizationsPage.tsx';
import { OverviewPage } from '../features/overview/OverviewPage.tsx';
import { PredictionsPage } from '../features/predictions/PredictionsPage.tsx';
import { RightsizingPage } from '../features/rightsizing/RightsizingPage.tsx';
import { SettingsPage } from '../features/settings/SettingsPage.tsx';
import { SpotEventsPage } from '../features/spot-events/SpotEventsPage.tsx';
import { matchPath } from './router.tsx';

export interface PageRoute {
  path: string;
  title: string;
  /** In the navigation; `operator`: only operators see the entry (the page still reads for others). */
  nav?: 'all' | 'operator';
  render(params: Record<string, string>): ReactNode;
}

export const ROUTES: PageRoute[] = [
  { path: '/', title: 'Overview', nav: 'all', render: () => <OverviewPage /> },
  { path: '/clusters', title: 'Clusters', nav: 'all', render: () => <ClustersPage /> },
  { path: '/clusters/:cluster_id', title: 'Cluster', render: (p) => <ClusterDetailPage clusterId={p.cluster_id!} /> },
  { path: '/optimizations', title: 'Optimizations', nav: 'all', render: () => <OptimizationsPage /> },
  { path: '/optimizations/:plan_id', title: 'Plan', render: (p) => <PlanPage planId={p.plan_id!} /> },
  { path: '/spot-events', title: 'Spot events', nav: 'all', render: () => <SpotEventsPage /> },
  { path: '/rightsizing', title: 'Rightsizing', nav: 'all', render: () => <RightsizingPage /> },
  { path: '/office-hours', title: 'Office hours', nav: 'all', render: () => <OfficeHoursPage /> },
  { path: '/backtest', title: 'Backtest', nav: 'all', render: () => <BacktestPage /> },
  { path: '/predictions', title: 'Predictions vs actual', nav: 'all', render: () => <PredictionsPage /> },
  { path: '/models', title: 'Models', nav: 'operator', render: () => <ModelsPage /> },
  { path: '/gap-filler', title: 'Gap filler', nav: 'operator', render: () => <GapFillerPage /> },
  { path: '/settings', title: 'Settings', nav: 'all', render: () => <SettingsPage /> },
];

/** The route of a path and its parameters; null for an unknown path. */
export function resolveRoute(pathname: string): { route: PageRoute; params: Record<string, string> } | null {
  for (const route of ROUTES) {
    const params = matchPath(route.path, pathname);
    if (params) return { route, params };
  }
  return null;
}

/** The navigation entries a role sees. */
export function navRoutes(isOperator: boolean): PageRoute[] {
  return ROUTES.filter((r) => r.nav === 'all' || (r.nav === 'operator' && isOperator));
}
