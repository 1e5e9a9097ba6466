import { describe, expect, it } from 'vitest';
import { isPublicAddress, literalTargetProblem, resolvedTargetProblem, type HostLookup } from './webhook-targets.ts';

describe('isPublicAddress', () => {
  it.each([
    '127.0.0.1', '127.255.0.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '198.18.0.1',
    '::1', '::', 'fe80::1', 'fd00:ec2::254', 'fc00::1', 'ff02::1', '2001:db8::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '64:ff9b::10.0.0.1',
    'not-an-ip', '', '1.2.3', '999.1.1.1',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2a00:1450:4001:80b::200e'])('accepts %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe('literalTargetProblem', () => {
  it.each([
    ['http://127.0.0.1:8000/api', /127\.0\.0\.1 is not a public address/],
    ['http://169.254.169.254/latest/meta-data/iam/security-credentials/', /169\.254\.169\.254/],
    ['http://[::1]:5432/', /::1 is not a public address/],
    ['http://[::ffff:10.0.0.5]/', /not a public address/],
    ['http://localhost:8001/api/v1/ml/models', /local or internal host/],
    ['http://admin.localhost/', /local or internal host/],
    ['http://ip-10-0-1-5.ec2.internal/', /local or internal host/],
    ['http://printer.local./', /local or internal host/],
    ['http://2130706433/', /not a public address/], // 127.0.0.1 as one number: URL normalises it
    ['http://0x7f.1/', /not a public address/],
    ['not a url', /no host/],
  ])('refuses %s', (url, reason) => {
    expect(literalTargetProblem(url)).toMatch(reason);
  });

  it.each(['https://hooks.slack.com/services/T0/B0/x', 'https://93.184.216.34/hook', 'http://[2606:4700:4700::1111]/x', 'https://localhost.example.com/'])('accepts %s (names are checked again once resolved)', (url) => {
    expect(literalTargetProblem(url)).toBeNull();
  });
});

describe('resolvedTargetProblem', () => {
  const dns: Record<string, string[]> = { 'hooks.example.com': ['93.184.216.34'], 'rebind.example.com': ['93.184.216.34', '10.0.0.7'], 'metadata.example.com': ['169.254.169.254'], 'v6.example.com': ['::1'] };
  const lookup: HostLookup = async (host) => {
    const found = dns[host];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

  it('accepts a name whose every address is public', async () => {
    expect(await resolvedTargetProblem('https://hooks.example.com/x', lookup)).toBeNull();
  });

  it.each([
    ['https://rebind.example.com/x', /resolves to 10\.0\.0\.7/],
    ['https://metadata.example.com/x', /resolves to 169\.254\.169\.254/],
    ['https://v6.example.com/x', /resolves to ::1/],
    ['https://gone.example.com/x', /does not resolve \(ENOTFOUND\)/],
    ['http://127.0.0.1/x', /not a public address/],
  ])('refuses %s', async (url, reason) => {
    expect(await resolvedTargetProblem(url, lookup)).toMatch(reason);
  });
});
