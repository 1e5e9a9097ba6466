/** Picks one of the clusters the user may see (of the operator's chosen customer). */
import { Select } from '@mantine/core';
import { useClusters } from '../api/clusters.queries.ts';
import { useSession } from '../app/session.tsx';

export interface ClusterSelectProps {
  value: string | null;
  onChange(clusterId: string | null): void;
  label?: string;
  /** Offer "All clusters" (value null). */
  allowAll?: boolean;
  required?: boolean;
}

export function ClusterSelect({ value, onChange, label = 'Cluster', allowAll = false, required = false }: ClusterSelectProps) {
  const { customerId } = useSession();
  const clusters = useClusters(customerId);
  const data = [...(allowAll ? [{ value: '', label: 'All clusters' }] : []), ...(clusters.data ?? []).map((c) => ({ value: c.cluster_id, label: `${c.cluster_name} (${c.region})` }))];
  return (
    <Select
      label={label}
      data={data}
      value={value ?? (allowAll ? '' : null)}
      onChange={(next) => onChange(next ? next : null)}
      placeholder={clusters.isPending ? 'Loading clusters…' : data.length === 0 ? 'No clusters yet' : 'Choose a cluster'}
      searchable
      required={required}
      allowDeselect={false}
      nothingFoundMessage="No such cluster"
      error={clusters.isError ? 'Could not load the clusters' : undefined}
      miw={240}
    />
  );
}
