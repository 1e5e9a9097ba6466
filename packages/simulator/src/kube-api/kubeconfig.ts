/** Writes a kubeconfig that points kubectl and @kubernetes/client-node at the simulator. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Cluster, context and user name in the written kubeconfig. */
export const KUBECONFIG_CLUSTER_NAME = 'cloudoptim-sim';

/** The kubeconfig text (YAML) for a server URL (plain `http://` is fine for kubectl) and a bearer token. */
export function kubeconfigYaml(url: string, token: string, name = KUBECONFIG_CLUSTER_NAME): string {
  const q = (s: string) => JSON.stringify(s); // JSON strings are valid YAML scalars
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${q(name)}`,
    '  cluster:',
    `    server: ${q(url)}`,
    // @kubernetes/client-node 1.x refuses plain-HTTP servers unless TLS verification is explicitly skipped;
    // kubectl ignores the flag for http:// servers.
    ...(url.startsWith('http:') ? ['    insecure-skip-tls-verify: true'] : []),
    'users:',
    `- name: ${q(`${name}-user`)}`,
    '  user:',
    `    token: ${q(token)}`,
    'contexts:',
    `- name: ${q(name)}`,
    '  context:',
    `    cluster: ${q(name)}`,
    `    user: ${q(`${name}-user`)}`,
    '    namespace: default',
    `current-context: ${q(name)}`,
    'preferences: {}',
    '',
  ].join('\n');
}

/** Writes the kubeconfig (creating the directory; mode 0600 since it holds a token). */
export async function writeKubeconfig(path: string, url: string, token: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, kubeconfigYaml(url, token), { mode: 0o600 });
}
