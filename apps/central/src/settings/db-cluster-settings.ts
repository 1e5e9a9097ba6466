/**
 * Cluster settings in the database (table cluster_settings): only the changed keys are stored, so a cluster
 * follows the code's defaults for every key nobody set. Each update bumps the version atomically.
 */
import { AppError } from '@cloudoptim/contracts';
import { ClusterSettingsRepository, type ClusterSettingsRecord, type Database } from '@cloudoptim/db';
import type { Clock } from '@cloudoptim/runtime';
import { ClusterSettingsSchema, type ClusterSettingsPatch, type ClusterSettingsReader, type StoredClusterSettings } from './cluster-settings.ts';

export class DbClusterSettings implements ClusterSettingsReader {
  private readonly repo: ClusterSettingsRepository;

  constructor(
    db: Database,
    private readonly clock: Clock,
  ) {
    this.repo = new ClusterSettingsRepository(db.db);
  }

  /** @throws NOT_FOUND when the cluster is not the customer's; DATA_CORRUPT when the stored keys no longer parse. */
  async get(customerId: string, clusterId: string): Promise<StoredClusterSettings> {
    const record = await this.repo.find(customerId, clusterId);
    if (!record) throw new AppError('NOT_FOUND', `cluster ${clusterId} not found`, { id: clusterId });
    return toStored(record);
  }

  /**
   * Applies the patch (keys present replace the stored values) and returns the new settings with the next version.
   * @throws NOT_FOUND when the cluster is not the customer's.
   */
  async update(customerId: string, clusterId: string, patch: ClusterSettingsPatch): Promise<StoredClusterSettings> {
    const changes = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
    return toStored(await this.repo.merge(customerId, clusterId, changes, new Date(this.clock.now())));
  }
}

function toStored(record: ClusterSettingsRecord): StoredClusterSettings {
  const parsed = ClusterSettingsSchema.safeParse(record.settings);
  if (!parsed.success) throw new AppError('DATA_CORRUPT', `the stored settings of cluster ${record.clusterId} are invalid`, { cluster_id: record.clusterId });
  return { clusterId: record.clusterId, customerId: record.customerId, settings: parsed.data, version: record.version, updatedAt: record.updatedAt };
}
