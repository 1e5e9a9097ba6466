/**
 * The admin UI's build: a static bundle in apps/admin-ui/dist that central serves at `/` (CLOUDOPTIM_UI_DIR).
 * `npm run dev -w @cloudoptim/admin-ui` serves it with hot reload and proxies the API (REST and the admin
 * WebSocket stream) to a central on http://localhost:8000, so the session cookie stays same-origin.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: { proxy: { '/api': { target: 'http://localhost:8000', ws: true, changeOrigin: false } } },
});
