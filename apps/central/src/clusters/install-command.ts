/**
 * The commands that install the agent in a customer's cluster, printed once with a new key. The key is in the
 * command, so it is shown exactly when the key is: at registration and at rotation.
 */
export interface InstallCommands {
  /** `scripts/install-agent.sh` from the CloudOptim repository. */
  script: string;
  /** Plain kubectl: the agent's Secret, then the Kustomize base in deploy/agent. */
  kubectl: string;
}

const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

export function installCommands(publicUrl: string, clusterId: string, apiKey: string): InstallCommands {
  const url = publicUrl.replace(/\/+$/, '');
  return {
    script: `scripts/install-agent.sh --central-url ${quote(url)} --cluster-id ${quote(clusterId)} --api-key ${quote(apiKey)}`,
    kubectl: [
      'kubectl create namespace cloudoptim-system --dry-run=client -o yaml | kubectl apply -f -',
      `kubectl -n cloudoptim-system create secret generic cloudoptim-agent --from-literal=CLOUDOPTIM_CENTRAL_URL=${quote(url)} --from-literal=CLOUDOPTIM_CLUSTER_ID=${quote(clusterId)} --from-literal=CLOUDOPTIM_API_KEY=${quote(apiKey)} --dry-run=client -o yaml | kubectl apply -f -`,
      'kubectl apply -k deploy/agent',
    ].join(' && '),
  };
}
