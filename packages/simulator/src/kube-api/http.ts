/** Small node:http helpers shared by the kube-api handlers. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, KubeApiError } from './errors.ts';
import type { Status } from './types.ts';

/** Largest request body accepted (the apiserver's limit is 3 MiB for most writes). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Reads the whole body as text. @throws KubeApiError 413-ish (as 400) when too large. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new KubeApiError('BadRequest', 'the request body is too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a JSON body; a syntax error is a 400 Status, as the apiserver's decoder answers. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw badRequest('the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`the object provided is unrecognized: ${(err as Error).message}`);
  }
}

/** Writes a JSON response. */
export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

/** Writes a `Status` with its own code. */
export function sendStatus(res: ServerResponse, status: Status): void {
  sendJson(res, status.code, status);
}

/** Whether the client asks for a server-side Table (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`). */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const params = part.split(';').map((p) => p.trim());
    return params.includes('as=Table') && params.includes('g=meta.k8s.io') && (params.includes('v=v1') || params.includes('v=v1beta1'));
  });
}

/** Whether the client accepts a plain `application/json` answer (else a v2-only discovery client). */
export function acceptsPlainJson(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.split(',').some((part) => {
    const [type, ...params] = part.split(';').map((p) => p.trim());
    const plain = params.every((p) => p.startsWith('q=') || p.startsWith('charset'));
    return plain && (type === 'application/json' || type === '*/*' || type === 'application/*');
  });
}

/** Whether the client accepts aggregated discovery v2 (and which media type version). */
export function aggregatedDiscoveryVersion(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    const params = part.split(';').map((p) => p.trim());
    if (params.includes('g=apidiscovery.k8s.io') && params.includes('as=APIGroupDiscoveryList')) {
      if (params.includes('v=v2')) return 'v2';
      if (params.includes('v=v2beta1')) return 'v2beta1';
    }
  }
  return undefined;
}

/** `?a=1&b` → a lookup with repeated keys' last value. */
export function queryOf(url: URL): (key: string) => string | undefined {
  return (key) => url.searchParams.get(key) ?? undefined;
}

/** Parses an integer query parameter; @throws 400 on garbage. */
export function intParam(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^-?\d+$/.test(value)) throw badRequest(`invalid ${name} "${value}": must be an integer`);
  return Number(value);
}

/** The apiserver's short human durations for AGE columns: `45s`, `5m12s`, `3h`, `2d4h`, `400d`. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(Math.max(0, ms) / 1000);
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (days < 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (days < 365 * 2) return `${days}d`;
  return `${Math.floor(days / 365)}y`;
}
