import { describe, expect, it } from 'vitest';
import { externalIdFor } from './external-id.ts';

describe('externalIdFor', () => {
  it('is cloudoptim-<customer id>: one per customer, the same every time', () => {
    const a = '11111111-2222-4333-8444-555555555555';
    const b = '99999999-8888-4777-8666-555555555555';
    expect(externalIdFor(a)).toBe(`cloudoptim-${a}`);
    expect(externalIdFor(a)).toBe(externalIdFor(a.toUpperCase()));
    expect(externalIdFor(b)).not.toBe(externalIdFor(a));
  });

  it('fits what STS accepts as an ExternalId (2 to 1224 of [\\w+=,.@:/-])', () => {
    expect(externalIdFor('11111111-2222-4333-8444-555555555555')).toMatch(/^[\w+=,.@:/-]{2,1224}$/);
  });

  it('refuses anything but a customer id, so no other value can become an external id', () => {
    for (const value of ['', 'ext-42', 'cloudoptim-11111111-2222-4333-8444-555555555555', '11111111-2222-4333-8444-555555555555 ', '../x']) {
      expect(() => externalIdFor(value)).toThrow(/not a customer id/);
    }
  });
});
