/**
 * Serves the admin UI's static build at `/` (CLOUDOPTIM_UI_DIR, or apps/admin-ui/dist when it was built):
 * files as they are (hashed assets cached for a year), and index.html for every other path that is not an
 * API path, so the UI's own routes (/clusters/…) survive a reload. Unknown /api paths keep the JSON 404
 * envelope; without a build nothing is served and every path stays an API 404.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { AppError } from '@cloudoptim/contracts';
import type { Feature } from '../features.ts';

/** apps/admin-ui/dist, next to this app in the repository. */
export const DEFAULT_UI_DIR = fileURLToPath(new URL('../../../admin-ui/dist/', import.meta.url));

/** The directory to serve, or null when it holds no index.html. */
export function uiDirectory(configured: string | undefined): string | null {
  const dir = resolve(configured ?? DEFAULT_UI_DIR);
  return existsSync(resolve(dir, 'index.html')) ? dir : null;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export const adminUiFeature: Feature = async (_routes, app, ctx) => {
  const root = uiDirectory(ctx.config.CLOUDOPTIM_UI_DIR);
  if (!root) {
    if (ctx.config.CLOUDOPTIM_UI_DIR) ctx.log.warn({ dir: ctx.config.CLOUDOPTIM_UI_DIR }, 'CLOUDOPTIM_UI_DIR has no index.html: the admin UI is not served');
    return;
  }
  await app.register(fastifyStatic, { root, serve: false });
  ctx.log.info({ dir: root }, 'serving the admin UI at /');

  app.get('/*', async (req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    if (path === '/api' || path.startsWith('/api/')) throw new AppError('NOT_FOUND', `no route GET ${path}`);
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      throw new AppError('BAD_REQUEST', 'the path is not valid percent-encoding');
    }
    const file = resolve(root, `.${decoded}`);
    if (decoded !== '/' && file.startsWith(root + sep) && !decoded.includes('\0') && isFile(file)) {
      const relative = file.slice(root.length + 1);
      // Vite names built assets by content hash: they never change under the same name.
      return relative.startsWith(`assets${sep}`) ? reply.sendFile(relative, { maxAge: '365d', immutable: true }) : reply.sendFile(relative, { cacheControl: false });
    }
    // A missing asset is a 404, not the page: HTML in place of a script only hides the failure.
    if (decoded.startsWith('/assets/')) throw new AppError('NOT_FOUND', `no file ${decoded}`);
    return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
  });
};
