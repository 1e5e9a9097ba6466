// Bundles one app's entry (central, ML server) into a single ES module for its container image:
//   node deploy/docker/bundle.mjs apps/central/src/main.ts /out/central.mjs
// Run from the repository root. Only the workspace's own TypeScript is inlined; every npm package stays
// external and is loaded from the image's node_modules (`npm ci --omit=dev`), because several cannot be
// bundled: @node-rs/argon2 (native addon), @electric-sql/pglite and highs (wasm next to their JS), pino
// (worker-thread transports by file path), pg (optional pg-native).
//
// Workspace modules find their data from their own location (`new URL('../../migrations/', import.meta.url)`:
// packages/db/migrations, apps/ml-server/migrations, packages/market/data, apps/admin-ui/dist). In one bundle
// every module would share the bundle's URL, so each module's `import.meta.url` is rewritten to its original
// path relative to the bundle. The image therefore places the bundle at the root of a tree that mirrors the
// repository for those data directories (e.g. /app/central.mjs and /app/packages/db/migrations/).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const [entry, outfile] = process.argv.slice(2);
if (!entry || !outfile) {
  console.error('usage: node deploy/docker/bundle.mjs <entry.ts> <outfile.mjs>');
  process.exit(2);
}
const root = process.cwd();

/** @type {import('esbuild').Plugin} */
const workspaceOnly = {
  name: 'workspace-only',
  setup(b) {
    // Bare specifiers outside @cloudoptim/* are npm packages: leave them to node_modules at run time.
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@cloudoptim/') ? undefined : { path: args.path, external: true }));
    b.onLoad({ filter: /\.tsx?$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      // These two would silently name the bundle's directory: only import.meta.url is rewritten.
      if (/import\.meta\.(dirname|filename)/.test(source)) throw new Error(`${args.path}: use import.meta.url (bundle.mjs rewrites only that)`);
      const relative = path.relative(root, args.path).split(path.sep).join('/');
      const contents = source.replaceAll('import.meta.url', `new URL(${JSON.stringify(`./${relative}`)}, import.meta.url).href`);
      return { contents, loader: args.path.endsWith('x') ? 'tsx' : 'ts' };
    });
  },
};

await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Not minified: stack traces in the logs stay readable without source maps.
  legalComments: 'none',
  plugins: [workspaceOnly],
  logLevel: 'warning',
});
