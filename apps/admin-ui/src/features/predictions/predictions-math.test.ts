import { describe, expect, it } from 'vitest';
import type { ModelList, PodView } from '../../api/wire-types.ts';
import { activeCalibration, calibrationColumns, workloadUsage } from './predictions-math.ts';

describe('calibration', () => {
  const bins = [
    { from: 0.1, to: 0.2, count: 5, mean_predicted: 0.15, observed_rate: 0.2 },
    { from: 0, to: 0.1, count: 10, mean_predicted: 0.05, observed_rate: 0.04 },
    { from: 0.2, to: 0.3, count: 0, mean_predicted: null, observed_rate: null },
  ];
  const list: ModelList = {
    serving_version: '2.0.0',
    active_version: '2.0.0',
    models: [
      { version: '1.0.0', format: 'native', status: 'retired', size_bytes: 1, trained_until: null, metrics: null, created_at: '', activated_at: null },
      { version: '2.0.0', format: 'native', status: 'active', size_bytes: 1, trained_until: '2024-02-28', metrics: { held_out: { calibration: bins } }, created_at: '', activated_at: null },
    ],
  };

  it('comes from the active model’s held-out evaluation', () => {
    expect(activeCalibration(list)).toEqual({ version: '2.0.0', bins });
    expect(activeCalibration({ ...list, models: [list.models[0]!] })).toBeNull();
  });

  it('plots the filled bins by mean predicted probability', () => {
    expect(calibrationColumns(bins)).toEqual({ x: [0, 0.05, 0.15, 1], observed: [null, 0.04, 0.2, null], ideal: [0, 0.05, 0.15, 1] });
  });
});

describe('workloadUsage', () => {
  const pod = (name: string, cpu: number | null, owner: PodView['owner'] = { kind: 'Deployment', name: 'api' }): PodView => ({
    namespace: 'shop',
    pod_name: name,
    node_name: 'n1',
    phase: 'Running',
    owner,
    containers: [{ container_name: 'app', cpu_request_millicores: 500, cpu_limit_millicores: null, memory_request_bytes: 1000, memory_limit_bytes: null, cpu_usage_millicores: cpu, memory_usage_bytes: 400, restart_count: 0, last_termination_reason: null }],
    cpu_request_millicores: 500,
    memory_request_bytes: 1000,
    cpu_usage_millicores: cpu,
    memory_usage_bytes: 400,
    restarts: 0,
    oom_kills: 0,
    observed_at: '',
  });

  it('averages usage over a workload’s pods that measured it, and leaves bare pods out', () => {
    const rows = workloadUsage([pod('a', 100), pod('b', 300), pod('c', null), pod('bare', 1, null)]);
    expect(rows).toEqual([{ key: 'shop/Deployment/api/app', namespace: 'shop', kind: 'Deployment', name: 'api', container: 'app', pods: 3, cpuUsageMillicores: 200, memoryUsageBytes: 400, cpuRequestMillicores: 500, memoryRequestBytes: 1000 }]);
  });
});
