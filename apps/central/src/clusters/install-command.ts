/**
 * The commands that install the agent in a customer's cluster, printed once with a new key. The key is in the
 * command, so it is shown exactly when the key is: at registration and at rotation.
 */
export interface InstallCommands {
  /** `scripts/install-agent.sh` from the CloudOptim repository. */
  script: string;
  /** Plain kubectl: the Kustomize base in deploy/agent, then this cluster's ConfigMap values and Secret. */
  kubectl: string;
}

const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

export function installCommands(publicUrl: string, clusterId: string, apiKey: string): InstallCommands {
  const url = publicUrl.replace(/\/+$/, '');
  return {
    script: `scripts/install-agent.sh --central-url ${quote(url)} --cluster-id ${quote(clusterId)} --api-key ${quote(apiKey)}`,
    // The base ships placeholders; this cluster's values replace them after the apply, then the agent restarts.
    kubectl: [
      'kubectl apply -k deploy/agent',
      `kubectl -n cloudoptim-system create configmap cloudoptim-agent --from-literal=CENTRAL_SERVER_URL=${quote(url)} --from-literal=CLUSTER_ID=${quote(clusterId)} --dry-run=client -o yaml | kubectl apply -f -`,
      `kubectl -n cloudoptim-system create secret generic cloudoptim-agent --from-literal=CENTRAL_API_KEY=${quote(apiKey)} --dry-run=client -o yaml | kubectl apply -f -`,
      'kubectl -n cloudoptim-system rollout restart deployment/cloudoptim-agent',
    ].join(' && '),
  };
}
