#!/usr/bin/env bash
# Installs (or updates) the CloudOptim agent in a Kubernetes cluster with kubectl: the Kustomize base in
# deploy/agent with this cluster's central URL, cluster id and API key. Central's register-cluster answer
# prints this command with the values filled in.
#
#   CENTRAL_API_KEY=<key> scripts/install-agent.sh --central-url https://central.example.com --cluster-id cl-prod-1
#
# Options:
#   --central-url URL     central server URL (required)
#   --cluster-id ID       the cluster's id in CloudOptim (required)
#   --api-key KEY         the cluster's API key (default: $CENTRAL_API_KEY; prefer the variable, arguments
#                         are visible to other users in `ps`)
#   --image IMAGE         agent image (default: the base's ghcr.io/cloudoptim/agent:<version>)
#   --kubeconfig FILE     kubeconfig (default: kubectl's)
#   --context NAME        kubeconfig context (default: the current one)
#   --log-level LEVEL     agent LOG_LEVEL (default info)
#   --no-wait             do not wait for the agent to become ready
#   --dry-run             print the manifests instead of applying them (the API key is redacted)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
base="$here/../deploy/agent"
central_url=""
cluster_id=""
api_key="${CENTRAL_API_KEY:-}"
image=""
log_level="info"
wait=1
dry_run=0
kubectl_args=()

die() {
  echo "install-agent: $*" >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --central-url) central_url="${2:-}"; shift 2 ;;
    --cluster-id) cluster_id="${2:-}"; shift 2 ;;
    --api-key) api_key="${2:-}"; shift 2 ;;
    --image) image="${2:-}"; shift 2 ;;
    --kubeconfig) kubectl_args+=(--kubeconfig "${2:-}"); shift 2 ;;
    --context) kubectl_args+=(--context "${2:-}"); shift 2 ;;
    --log-level) log_level="${2:-}"; shift 2 ;;
    --no-wait) wait=0; shift ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option: $1 (see --help)" ;;
  esac
done

[ -n "$central_url" ] || die "--central-url is required"
[[ "$central_url" =~ ^https?://[^[:space:]]+$ ]] || die "--central-url must be an http(s) URL, got: $central_url"
[ -n "$cluster_id" ] || die "--cluster-id is required"
[[ "$cluster_id" =~ ^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$ ]] || die "--cluster-id must be 1-128 letters, digits, '.', '_', ':', '-'"
[ -n "$api_key" ] || die "the API key is required: set CENTRAL_API_KEY (or pass --api-key)"
[ "${#api_key}" -ge 8 ] || die "the API key looks wrong (shorter than 8 characters)"
[[ "$api_key" != *$'\n'* ]] || die "the API key must be one line"
command -v kubectl >/dev/null || die "kubectl is not installed"

# A throw-away overlay over the base; it holds the key, so only this user may read it, and it is removed.
overlay="$(mktemp -d)"
trap 'rm -rf "$overlay"' EXIT
chmod 700 "$overlay"
cp -R "$base" "$overlay/base"
printf 'CENTRAL_API_KEY=%s\n' "$api_key" > "$overlay/agent.env"
{
  echo "apiVersion: kustomize.config.k8s.io/v1beta1"
  echo "kind: Kustomization"
  echo "resources:"
  echo "  - base"
  echo "generatorOptions:"
  echo "  disableNameSuffixHash: true"
  echo "configMapGenerator:"
  echo "  - name: cloudoptim-agent"
  echo "    namespace: cloudoptim-system"
  echo "    behavior: merge"
  echo "    literals:"
  echo "      - CENTRAL_SERVER_URL=$central_url"
  echo "      - CLUSTER_ID=$cluster_id"
  echo "      - LOG_LEVEL=$log_level"
  echo "secretGenerator:"
  echo "  - name: cloudoptim-agent"
  echo "    namespace: cloudoptim-system"
  echo "    behavior: replace"
  echo "    envs:"
  echo "      - agent.env"
  if [ -n "$image" ]; then
    echo "images:"
    echo "  - name: ghcr.io/cloudoptim/agent"
    echo "    newName: ${image%:*}"
    [[ "$image" == *:* ]] && echo "    newTag: \"${image##*:}\""
  fi
} > "$overlay/kustomization.yaml"

if [ "$dry_run" = 1 ]; then
  kubectl kustomize "$overlay" | sed -E 's/^(  CENTRAL_API_KEY: ).*/\1<redacted>/'
  exit 0
fi

kubectl "${kubectl_args[@]}" apply -k "$overlay"
if [ "$wait" = 1 ]; then
  kubectl "${kubectl_args[@]}" -n cloudoptim-system rollout status deployment/cloudoptim-agent --timeout=180s
fi
echo "CloudOptim agent installed for cluster $cluster_id (central: $central_url)."
