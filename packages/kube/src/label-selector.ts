/** Label-selector matching for PodDisruptionBudgets (the drain logic and the fake use it). */
import type { KubeLabelSelector, KubePdb } from './kube-types.ts';

/** True when `labels` satisfy every `matchLabels` pair and `matchExpressions` requirement. */
export function selectorMatches(selector: KubeLabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels)) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    switch (e.operator) {
      case 'In':
        if (!has || value === undefined || !e.values.includes(value)) return false;
        break;
      case 'NotIn':
        if (has && value !== undefined && e.values.includes(value)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/**
 * True when the PDB covers a pod with these labels in this namespace. An empty selector selects every pod of
 * the namespace (policy/v1 semantics).
 */
export function pdbSelects(pdb: KubePdb, namespace: string, labels: Readonly<Record<string, string>>): boolean {
  return pdb.namespace === namespace && selectorMatches(pdb.selector, labels);
}
