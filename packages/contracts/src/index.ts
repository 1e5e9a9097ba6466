/**
 * @cloudoptim/contracts — every message that crosses a process boundary (SPEC §2), as zod schemas
 * (`FooSchema`) with their inferred types (`Foo`), the error catalogue and envelope, the WebSocket event
 * unions, their JSON Schemas, and example builders for tests.
 *
 * Conventions of this package (decided once, for every schema):
 * - Wire names are snake_case as the spec spells them; units are in the field name (`_millicores`, `_bytes`,
 *   `_seconds`, `_gb`, `_cores`); money is USD (`_per_hour` = USD per hour, `*_savings` = USD per month unless
 *   the name says otherwise). Times are ISO 8601 with an offset.
 * - Unknown fields are accepted and stripped (plain `z.object`, not `.strict()`): a newer sender may add
 *   fields without breaking an older receiver, and code behind the edge only ever sees known fields. The
 *   exception is fields named `metadata`, which are open bags that keep unknown keys (`z.looseObject`/records).
 * - Every field the spec lists is required (null where "absent" is a legitimate value). Fields added beyond
 *   the spec are optional, or have a default when there is a natural empty value (`labels: {}`, `taints: []`),
 *   so that parsing fills them in and consumers need no `??`. Hence `z.input<>` (what a sender may omit) can
 *   differ from the exported type (`z.output<>`, what a receiver gets).
 * - Cross-field rules (e.g. spot_nodes + on_demand_nodes ≤ total_nodes) are refinements whose issues point at
 *   the field to fix; they are not part of the JSON Schemas.
 */
export * from './errors.ts';
export * from './primitives.ts';
export * from './cluster-state.ts';
export * from './metrics.ts';
export * from './tasks.ts';
export * from './decisions.ts';
export * from './spot-events.ts';
export * from './cluster-events.ts';
export * from './heartbeat.ts';
export * from './client-api.ts';
export * from './ws-events.ts';
export * from './messages.ts';
export * from './examples.ts';
