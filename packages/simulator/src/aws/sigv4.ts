/**
 * AWS Signature Version 4 verification of incoming requests (header form:
 * `Authorization: AWS4-HMAC-SHA256 Credential=AKID/yyyymmdd/region/service/aws4_request, SignedHeaders=…, Signature=…`).
 * It recomputes the signature with the configured secret, which proves that the real SDK / CLI signed the
 * request it sent. Clock skew is not checked: simulated time need not match the client's wall clock.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The simulator's credentials. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Why a request was refused. */
export type SigV4Failure = 'missing' | 'malformed' | 'unknown-key' | 'wrong-region' | 'wrong-service' | 'bad-signature';

/** Result of `verifySigV4`. */
export type SigV4Result =
  | { ok: true; accessKeyId: string; region: string; service: string }
  | { ok: false; failure: SigV4Failure; message: string };

/** The parts of the HTTP request the signature covers. */
export interface SignedRequest {
  method: string;
  /** Raw request target (`/path?query`). */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const AUTH = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-f]{64})\s*$/;

/** RFC 3986 encoding as SigV4 wants it (everything but unreserved characters). */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, '%20'));
  } catch {
    return s;
  }
}

function canonicalQuery(query: string): string {
  if (!query) return '';
  const pairs = query.split('&').filter((p) => p !== '').map((p) => {
    const eq = p.indexOf('=');
    const k = eq < 0 ? p : p.slice(0, eq);
    const v = eq < 0 ? '' : p.slice(eq + 1);
    return [uriEncode(safeDecode(k)), uriEncode(safeDecode(v))] as const;
  }).filter(([k]) => k !== 'X-Amz-Signature');
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function canonicalPath(path: string): string {
  // As the SDK and botocore do for non-S3 services: normalise the wire path, then URI-encode it once more.
  const segments: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  const normalized = `/${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return uriEncode(normalized).replace(/%2F/g, '/');
}

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** Verifies the request against the configured credentials, region and (when given) signing service. */
export function verifySigV4(req: SignedRequest, credentials: AwsCredentials, expect: { region: string; service?: string }): SigV4Result {
  const header = req.headers.authorization;
  if (!header) return { ok: false, failure: 'missing', message: 'Request is missing Authentication Token' };
  const m = AUTH.exec(header.trim());
  if (!m) return { ok: false, failure: 'malformed', message: 'Authorization header requires \'Credential\', \'SignedHeaders\' and \'Signature\' parameters (AWS4-HMAC-SHA256).' };
  const [, credential = '', signedHeadersRaw = '', signature = ''] = m;
  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request') return { ok: false, failure: 'malformed', message: `Credential should be scoped to a valid region and service: ${credential}` };
  const [accessKeyId = '', date = '', region = '', service = ''] = scope;
  if (accessKeyId !== credentials.accessKeyId) return { ok: false, failure: 'unknown-key', message: 'The security token included in the request is invalid.' };
  if (region !== expect.region) return { ok: false, failure: 'wrong-region', message: `Credential should be scoped to a valid region, not '${region}'.` };
  if (expect.service && service !== expect.service) return { ok: false, failure: 'wrong-service', message: `Credential should be scoped to correct service: '${expect.service}'.` };
  const amzDate = headerValue(req.headers['x-amz-date']);
  if (!amzDate || !/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== date) return { ok: false, failure: 'malformed', message: 'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.' };
  const signedHeaders = signedHeadersRaw.split(';');
  if (!signedHeaders.includes('host')) return { ok: false, failure: 'malformed', message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization." };
  const canonicalHeaders = signedHeaders.map((h) => `${h}:${(headerValue(req.headers[h]) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = q < 0 ? '' : req.url.slice(q + 1);
  const payloadHash = headerValue(req.headers['x-amz-content-sha256']) === 'UNSIGNED-PAYLOAD' ? 'UNSIGNED-PAYLOAD' : sha256Hex(req.body);
  const canonicalRequest = [req.method, canonicalPath(path), canonicalQuery(query), canonicalHeaders, signedHeadersRaw, payloadHash].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, `${date}/${region}/${service}/aws4_request`, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, date), region), service), 'aws4_request');
  const expected = createHmac('sha256', key).update(stringToSign, 'utf8').digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, failure: 'bad-signature', message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.' };
  }
  return { ok: true, accessKeyId, region, service };
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(',') : v;
}
