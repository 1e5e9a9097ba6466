/**
 * Where a customer's webhook may point. A webhook URL is chosen by a customer but called by central, from
 * central's network: without a check it could reach the server's own admin ports, the database, the cloud
 * metadata endpoint (169.254.169.254, whose credentials are central's AWS identity) or anything else only the
 * server can see (SSRF). So targets must resolve to public unicast addresses only, unless
 * WEBHOOK_ALLOW_PRIVATE_TARGETS says a receiver inside the operator's own network is expected.
 *
 * Checked twice: the literal host when a channel is saved (cheap, no DNS), and every resolved address right
 * before each delivery (a name can be re-pointed after it was saved). Redirects are never followed by the sender.
 * What is left: DNS rebinding between this lookup and the connection fetch makes (milliseconds apart).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Resolves a host name to all its addresses (node:dns by default; tests pass their own). */
export type HostLookup = (hostname: string) => Promise<{ address: string; family: number }[]>;

const defaultLookup: HostLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

const NOT_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, the cloud metadata endpoint
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv6');
}

/** The IPv4 address an IPv6 address embeds (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`), if any. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:(?:0:)?|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:(?:0:)?|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return undefined;
  const high = parseInt(hex[1]!, 16);
  const low = parseInt(hex[2]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** Whether an IP address (v4 or v6 text) is public unicast; anything unparsable is not. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !NOT_PUBLIC.check(address, 'ipv4');
  if (family !== 6) return false;
  const v4 = embeddedIpv4(address);
  if (v4 !== undefined) return isPublicAddress(v4);
  return !NOT_PUBLIC.check(address, 'ipv6');
}

/** The host of a URL as an address or name (IPv6 without brackets), or undefined when it does not parse. */
function hostOf(url: string): string | undefined {
  try {
    const host = new URL(url).hostname;
    return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  } catch {
    return undefined;
  }
}

const isLocalName = (host: string) => {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost') || h.endsWith('.internal') || h.endsWith('.local');
};

/**
 * Why the URL's literal host may not be a webhook target (a private address, `localhost`, `*.internal`,
 * `*.local`), or null when it may be (a public address, or a name: checked again once resolved).
 */
export function literalTargetProblem(url: string): string | null {
  const host = hostOf(url);
  if (host === undefined || host === '') return 'the URL has no host';
  if (isIP(host) !== 0) return isPublicAddress(host) ? null : `${host} is not a public address`;
  return isLocalName(host) ? `${host} names a local or internal host` : null;
}

/**
 * Why the URL may not be called now, or null when every address its host resolves to is public. A host that
 * does not resolve is a problem too (the delivery would fail anyway).
 */
export async function resolvedTargetProblem(url: string, lookup: HostLookup = defaultLookup): Promise<string | null> {
  const literal = literalTargetProblem(url);
  if (literal !== null) return literal;
  const host = hostOf(url)!;
  if (isIP(host) !== 0) return null;
  let addresses: { address: string }[];
  try {
    addresses = await lookup(host);
  } catch (error) {
    return `${host} does not resolve (${error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : String(error)})`;
  }
  if (addresses.length === 0) return `${host} does not resolve`;
  const blocked = addresses.find((a) => !isPublicAddress(a.address));
  return blocked ? `${host} resolves to ${blocked.address}, which is not a public address` : null;
}
