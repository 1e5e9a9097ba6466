import { describe, expect, it } from 'vitest';
import { alternativesOf, planActions, savingsAccuracy } from './plan-logic.ts';

describe('planActions', () => {
  const proposed = { status: 'proposed' as const, dry_run: false, outcome: 'planned' as const };
  it('offers approve and reject on a proposed plan to those who may write', () => {
    expect(planActions(proposed, true)).toEqual({ approve: true, reject: true });
  });
  it('offers nothing to viewers, on dry runs, or once decided', () => {
    expect(planActions(proposed, false)).toEqual({ approve: false, reject: false });
    expect(planActions({ ...proposed, dry_run: true }, true)).toEqual({ approve: false, reject: false });
    expect(planActions({ ...proposed, status: 'approved' }, true)).toEqual({ approve: false, reject: false });
  });
  it('lets a "nothing to do" answer be rejected but not approved', () => {
    expect(planActions({ ...proposed, outcome: 'nothing_to_do' }, true)).toEqual({ approve: false, reject: true });
  });
});

describe('savingsAccuracy', () => {
  it('is actual over estimated once measured', () => {
    expect(savingsAccuracy({ estimated_savings_monthly: 100, actual_savings_monthly: 80 })).toBe(0.8);
    expect(savingsAccuracy({ estimated_savings_monthly: 100, actual_savings_monthly: null })).toBeNull();
    expect(savingsAccuracy({ estimated_savings_monthly: 0, actual_savings_monthly: 5 })).toBeNull();
  });
});

describe('alternativesOf', () => {
  it('finds the alternatives list in the engine metadata, if any', () => {
    expect(alternativesOf({ closest_alternatives: [{ pool: 'm5.large/us-east-1a' }, 'junk'] })).toEqual([{ pool: 'm5.large/us-east-1a' }]);
    expect(alternativesOf({ engine_version: '1' })).toEqual([]);
  });
});
