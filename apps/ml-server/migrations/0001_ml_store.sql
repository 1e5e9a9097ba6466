-- 0001_ml_store: the ML server's own store (not central's): the model registry, gap-fill jobs and the spot
-- price points the gap filler fetched. With DATABASE_URL these tables and their schema_migrations live in the
-- ML server's own PostgreSQL schema (ML_SERVER_DB_SCHEMA, default `ml`), so central's migrations never meet them.
-- Times are timestamptz written from the server's clock; prices USD per instance-hour.

-- One uploaded model version. `artifact` holds the file exactly as uploaded; `metrics` the latest held-out
-- evaluation (or the metrics the artifact shipped with); `trained_until` the last date its training saw.
CREATE TABLE ml_models (
  version text PRIMARY KEY CHECK (version ~ '^v?[0-9A-Za-z][0-9A-Za-z.+_-]*$' AND length(version) <= 64),
  format text NOT NULL CHECK (format IN ('native', 'xgboost-json', 'onnx')),
  artifact bytea NOT NULL,
  size_bytes integer NOT NULL CHECK (size_bytes > 0),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  metrics jsonb,
  trained_until date,
  status text NOT NULL DEFAULT 'uploaded' CHECK (status IN ('uploaded', 'active', 'retired')),
  created_at timestamptz NOT NULL DEFAULT now(),
  activated_at timestamptz
);
-- At most one active model: concurrent activations on two replicas cannot both win.
CREATE UNIQUE INDEX ml_models_one_active ON ml_models (status) WHERE status = 'active';

-- Every activation and roll-back, in order: a roll-back returns to the `previous_version` of the current model's
-- latest plain activation, so repeated roll-backs walk back through history.
CREATE TABLE ml_model_activations (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  version text NOT NULL,
  previous_version text,
  action text NOT NULL CHECK (action IN ('activate', 'rollback')),
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ml_model_activations_version ON ml_model_activations (version, seq DESC);

-- A gap-fill run: its scope (region, types, zones, window) and progress.
CREATE TABLE ml_gap_fill_jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'completed', 'failed')),
  scope jsonb NOT NULL,
  progress double precision NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
  series_total integer NOT NULL DEFAULT 0 CHECK (series_total >= 0),
  series_done integer NOT NULL DEFAULT 0 CHECK (series_done >= 0 AND series_done <= series_total),
  records_filled integer NOT NULL DEFAULT 0 CHECK (records_filled >= 0),
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- One job at a time: two fills of the same series would fetch the same pages twice.
CREATE UNIQUE INDEX ml_gap_fill_jobs_one_active ON ml_gap_fill_jobs ((status IN ('queued', 'running'))) WHERE status IN ('queued', 'running');
CREATE INDEX ml_gap_fill_jobs_created ON ml_gap_fill_jobs (created_at DESC);

-- Spot price points per series: `observed` = a change EC2 reported; `carried_forward` = the price in force at
-- the start of a day on which the series did not change (so coverage is visible per day); `filled` = reserved
-- for points derived by interpolation (none yet).
CREATE TABLE ml_spot_prices (
  region text NOT NULL,
  az text NOT NULL,
  instance_type text NOT NULL,
  product text NOT NULL DEFAULT 'Linux/UNIX',
  ts timestamptz NOT NULL,
  price numeric(14, 6) NOT NULL CHECK (price >= 0),
  provenance text NOT NULL CHECK (provenance IN ('observed', 'carried_forward', 'filled')),
  job_id uuid,
  CONSTRAINT ml_spot_prices_pkey PRIMARY KEY (region, az, instance_type, product, ts)
);
CREATE INDEX ml_spot_prices_region_ts ON ml_spot_prices (region, ts);
