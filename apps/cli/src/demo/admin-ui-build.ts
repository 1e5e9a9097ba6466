import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '@cloudoptim/contracts';
import { repoRoot } from '../repo-paths.ts';

/** Where central looks for the admin UI by default. */
export const ADMIN_UI_DIST = path.join(repoRoot, 'apps', 'admin-ui', 'dist');

/**
 * Builds the admin UI once (a fresh clone has no build: `npm ci` installs Vite, this runs it), so the demo's
 * central serves it at `/`. Takes ~15 s the first time; later runs reuse the build.
 */
export async function ensureAdminUiBuilt(progress: (line: string) => void): Promise<string> {
  if (fs.existsSync(path.join(ADMIN_UI_DIST, 'index.html'))) return ADMIN_UI_DIST;
  progress('building the admin UI (first run only) …\n');
  const stderr: string[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn('npm', ['run', 'build', '-w', '@cloudoptim/admin-ui'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? 1));
  });
  if (code !== 0 || !fs.existsSync(path.join(ADMIN_UI_DIST, 'index.html'))) throw new AppError('INTERNAL', `building the admin UI failed: ${stderr.join('').trim().split('\n').slice(-5).join(' | ')}`);
  return ADMIN_UI_DIST;
}
