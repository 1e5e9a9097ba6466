import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root, found from this file's place in it (apps/cli/src). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
