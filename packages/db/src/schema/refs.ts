/**
 * Tenant-safe foreign keys for schema files after the seed: named as PostgreSQL names an inline REFERENCES, and
 * composite (customer_id, cluster_id) so a row can never point at another customer's cluster.
 */
import { foreignKey, type PgColumn } from 'drizzle-orm/pg-core';
import { clusters, customers } from './seed.schema.ts';

/** SQL: `customer_id uuid NOT NULL REFERENCES customers (id)` (add ON DELETE CASCADE in both places when wanted). */
export const customerRef = (table: string, customerId: PgColumn) =>
  foreignKey({ name: `${table}_customer_id_fkey`, columns: [customerId], foreignColumns: [customers.id] });

/** SQL: `CONSTRAINT <table>_cluster_fkey FOREIGN KEY (customer_id, cluster_id) REFERENCES clusters (customer_id, id) ON DELETE CASCADE`. */
export const clusterRef = (table: string, columns: { customerId: PgColumn; clusterId: PgColumn }) =>
  foreignKey({ name: `${table}_cluster_fkey`, columns: [columns.customerId, columns.clusterId], foreignColumns: [clusters.customerId, clusters.id] }).onDelete('cascade');
