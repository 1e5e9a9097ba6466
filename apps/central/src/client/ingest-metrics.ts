/** Prometheus metrics of what agents send: how big each metrics report and event batch is. */
import { Histogram, type Registry } from '@cloudoptim/runtime';

const NAME = 'cloudoptim_central_ingest_items';

/** Items per ingested message, by kind (`nodes`, `pods` of a metrics report; `events` of a batch). */
export function ingestSizes(registry: Registry): Histogram<'kind'> {
  return (
    (registry.getSingleMetric(NAME) as Histogram<'kind'> | undefined) ??
    new Histogram({ name: NAME, help: 'Items per ingested agent message, by kind', labelNames: ['kind'], buckets: [0, 1, 10, 50, 100, 500, 1000, 5000], registers: [registry] })
  );
}
