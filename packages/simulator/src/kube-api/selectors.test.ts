import { describe, expect, it } from 'vitest';
import { fieldValue, parseFieldSelector, parseLabelSelector, selectorFromSpec } from './selectors.ts';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', n: '5' };
  it.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app in (web, db)', true],
    ['app notin (web)', false],
    ['tier', true],
    ['!tier', false],
    ['!missing', true],
    ['missing!=x', true],
    ['app=web,tier=back', false],
    ['n>3', true],
    ['n<3', false],
    ['example.com/role=x', false],
  ])('%s → %s', (sel, expected) => {
    expect(parseLabelSelector(sel).matches(labels)).toBe(expected);
  });

  it.each(['a in (', 'a in b', '=x', 'a=b,', 'a=b c', 'a b', 'a=in valid', 'a>x', 'bad key=1', 'a=' + 'x'.repeat(64)])('rejects %j with 400', (sel) => {
    expect(() => parseLabelSelector(sel)).toThrow(expect.objectContaining({ code: 400 }));
  });

  it('turns spec selectors into matchers', () => {
    const s = selectorFromSpec({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] });
    expect(s.matches(labels)).toBe(true);
    expect(s.toString()).toBe('app=web,tier in (front)');
    expect(selectorFromSpec(undefined).matches(labels)).toBe(false);
    expect(selectorFromSpec({}).matches(labels)).toBe(true);
  });
});

describe('field selectors', () => {
  const pod = { metadata: { name: 'p', namespace: 'd' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } };
  it('matches =, ==, != and empty values', () => {
    const allowed = ['spec.nodeName', 'status.phase'];
    const get = (f: string) => fieldValue(pod, f);
    expect(parseFieldSelector('spec.nodeName=n1,status.phase!=Failed', allowed, 'Pod').matches(get)).toBe(true);
    expect(parseFieldSelector('spec.nodeName==n2', allowed, 'Pod').matches(get)).toBe(false);
    expect(parseFieldSelector('metadata.name=p', allowed, 'Pod').matches(get)).toBe(true);
    expect(parseFieldSelector('spec.nodeName=', allowed, 'Pod').matches((f) => fieldValue({ spec: {} }, f))).toBe(true);
    expect(fieldValue({ spec: {} }, 'spec.unschedulable')).toBe('false');
  });
  it('rejects unsupported fields and garbage', () => {
    expect(() => parseFieldSelector('spec.foo=1', [], 'Pod')).toThrow('field label not supported: spec.foo');
    expect(() => parseFieldSelector('nonsense', [], 'Pod')).toThrow(/invalid selector/);
  });
});
