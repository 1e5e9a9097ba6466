import { describe, expect, it } from 'vitest';
import type { ClusterSettings } from '../../api/wire-types.ts';
import { blankToNull, settingsPatch } from './settings-patch.ts';

const settings: ClusterSettings = {
  automation_mode: 'recommend',
  max_spot_share: 0.8,
  min_pool_diversity: 3,
  max_nodes_in_flight: 1,
  max_disruption_percent: 10,
  office_hours: [],
  excluded_namespaces: ['kube-system'],
  excluded_workloads: [],
  rebalance_policy: 'cordon',
  aws_role_arn: null,
  interruption_queue_url: null,
  launch_template_id: null,
  subnet_ids: [],
};

describe('settingsPatch', () => {
  it('holds only the changed fields (lists compared by value)', () => {
    expect(settingsPatch(settings, { ...settings, excluded_namespaces: ['kube-system'] })).toEqual({});
    expect(settingsPatch(settings, { ...settings, max_spot_share: 0.5, excluded_namespaces: ['kube-system', 'prod'], aws_role_arn: null })).toEqual({ max_spot_share: 0.5, excluded_namespaces: ['kube-system', 'prod'] });
  });

  it('reads a blank optional text as not set', () => {
    expect(blankToNull('  ')).toBeNull();
    expect(blankToNull(' arn ')).toBe('arn');
  });
});
