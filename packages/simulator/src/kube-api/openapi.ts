/**
 * Just enough OpenAPI v3 for kubectl: `/openapi/v3` lists one document per group version, and each document
 * declares, for every resource, a PATCH operation tagged with `x-kubernetes-group-version-kind` that accepts
 * the `fieldValidation` query parameter. kubectl 1.2x+ reads exactly that to decide that the server validates
 * fields itself (so `kubectl apply -f` / `create -f` need no client-side schema), and, finding no component
 * schemas, computes apply's strategic merge patch from its compiled-in types — which is what it does for
 * every built-in kind anyway. Full schemas (for `kubectl explain`) are not served; `/openapi/v2` is a 404.
 */
import { RESOURCES, type ResourceInfo } from './resources.ts';

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** A stable short hash so kubectl's cache keys (`?hash=`) change only when the document does. */
function hashOf(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).toUpperCase().padStart(8, '0');
}

function groupVersionsServed(): Map<string, ResourceInfo[]> {
  const out = new Map<string, ResourceInfo[]>();
  for (const info of RESOURCES) {
    if (info.virtual) continue;
    const key = gvPath(info.group, info.version);
    const list = out.get(key) ?? [];
    list.push(info);
    out.set(key, list);
  }
  return out;
}

/** The document for one group version (`api/v1`, `apis/apps/v1`), or undefined. */
export function openApiV3Document(path: string): unknown {
  const infos = groupVersionsServed().get(path.replace(/\?.*$/, ''));
  if (!infos) return undefined;
  const paths: Record<string, unknown> = {};
  const queryParam = (name: string) => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } });
  for (const info of infos) {
    const base = `/${gvPath(info.group, info.version)}${info.namespaced ? '/namespaces/{namespace}' : ''}/${info.resource}`;
    const gvk = { group: info.group, version: info.version, kind: info.kind };
    const op = (verb: string) => ({
      operationId: `${verb}${info.kind}`,
      parameters: [queryParam('dryRun'), queryParam('fieldManager'), queryParam('fieldValidation')],
      responses: { '200': { description: 'OK' } },
      'x-kubernetes-action': verb,
      'x-kubernetes-group-version-kind': gvk,
    });
    paths[base] = { post: op('post') };
    paths[`${base}/{name}`] = { put: op('put'), patch: op('patch') };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: { schemas: {} },
  };
}

/** `/openapi/v3`: the index of group-version documents. */
export function openApiV3Root(): unknown {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const key of groupVersionsServed().keys()) {
    const hash = hashOf(JSON.stringify(openApiV3Document(key)));
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  return { paths };
}

/** Swagger 2.0 is not served (kubectl only falls back to it when v3 is missing). */
export function openApiV2Document(): unknown {
  return undefined;
}
