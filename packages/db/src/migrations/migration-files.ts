import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '@cloudoptim/contracts';

/** One migration file: `NNNN_name.sql`. */
export interface MigrationFile {
  version: number;
  /** The part after the version, e.g. `init`. */
  name: string;
  /** e.g. `0001_init.sql`. */
  fileName: string;
  sql: string;
  /** sha256 (hex) of the file with CRLF normalised to LF, so a checkout's line endings do not count as a change. */
  checksum: string;
}

/** The package's own migrations (`packages/db/migrations`). */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

const FILE_PATTERN = /^(\d{4})_([a-z0-9][a-z0-9_]*)\.sql$/;

/** sha256 hex of a migration's text, line endings normalised. */
export function migrationChecksum(sqlText: string): string {
  return createHash('sha256').update(sqlText.replace(/\r\n/g, '\n')).digest('hex');
}

/**
 * Reads the migrations in `dir`, sorted by version. Every `.sql` file must be named `NNNN_snake_name.sql` with a
 * unique version; otherwise (or when the directory is unreadable) throws AppError MIGRATION_FAILED.
 */
export function loadMigrationFiles(dir: string = DEFAULT_MIGRATIONS_DIR): MigrationFile[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch (error) {
    throw new AppError('MIGRATION_FAILED', `Cannot read the migrations directory ${dir}`, { dir }, { cause: error });
  }
  const files: MigrationFile[] = [];
  for (const fileName of entries.filter((entry) => entry.endsWith('.sql')).sort()) {
    const match = FILE_PATTERN.exec(fileName);
    if (!match) {
      throw new AppError('MIGRATION_FAILED', `Migration file ${fileName} is not named NNNN_snake_name.sql`, { file: fileName });
    }
    const version = Number(match[1]);
    const previous = files.find((file) => file.version === version);
    if (previous) {
      throw new AppError('MIGRATION_FAILED', `Migrations ${previous.fileName} and ${fileName} share version ${version}`, { file: fileName });
    }
    const sqlText = fs.readFileSync(path.join(dir, fileName), 'utf8');
    files.push({ version, name: match[2] ?? '', fileName, sql: sqlText, checksum: migrationChecksum(sqlText) });
  }
  return files.sort((a, b) => a.version - b.version);
}
