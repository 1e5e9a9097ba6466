// Lint rules that carry the architecture: no import cycles, the package DAG of ARCHITECTURE.md,
// and "packages never read process.env" (only an app's composition root does).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';

const allPackages = ['contracts', 'market', 'engines', 'runtime', 'cloud', 'kube', 'api-client', 'simulator', 'db'];
/** Which workspace packages each package may import (ARCHITECTURE.md "Allowed imports"). */
const allowed = {
  contracts: [],
  market: ['contracts'],
  runtime: ['contracts'],
  'api-client': ['contracts'],
  engines: ['contracts', 'market'],
  cloud: ['contracts', 'runtime'],
  kube: ['contracts', 'runtime'],
  simulator: ['contracts', 'market', 'runtime'],
  db: ['contracts', 'runtime'],
};

const dagRules = Object.entries(allowed).map(([pkg, deps]) => ({
  files: [`packages/${pkg}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: [
              ...allPackages.filter((p) => p !== pkg && !deps.includes(p)).map((p) => `@cloudoptim/${p}`),
              '@cloudoptim/*-server', '@cloudoptim/central', '@cloudoptim/agent', '@cloudoptim/cli', '@cloudoptim/admin-ui',
            ],
            message: `packages/${pkg} may import only: ${deps.join(', ') || 'nothing from the workspace'} (see ARCHITECTURE.md).`,
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', 'bench-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs'] })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...dagRules,
  {
    // Adapters' integration tests run the production adapter against the simulator (simulate at the wire).
    files: ['packages/cloud/**/*.test.ts', 'packages/kube/**/*.test.ts', 'packages/cloud/**/*.contract.ts', 'packages/kube/**/*.contract.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['packages/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Packages never read process.env: take configuration as an argument.' }],
    },
  },
  {
    // Engines are pure: no I/O modules, no clock, no unseeded randomness (ARCHITECTURE.md convention 1).
    files: ['packages/engines/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'node:child_process', 'node:http', 'node:https', 'node:net'].map((name) => ({ name, message: 'Engines do no I/O: take data as arguments.' })),
          patterns: [{ group: ['@cloudoptim/*', '!@cloudoptim/contracts', '!@cloudoptim/market'], message: 'packages/engines may import only contracts and market.' }],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Packages never read process.env.' },
        { object: 'Math', property: 'random', message: 'Use the seeded Rng passed in.' },
        { object: 'Date', property: 'now', message: 'Take `now` as an argument.' },
      ],
    },
  },
  {
    // Apps' tests (*.test.ts) and their test kits (src/testing/) drive the product against the simulator; product code never sees it.
    files: ['apps/*/src/**/*.ts'],
    ignores: ['apps/cli/**', 'apps/*/src/**/*.test.ts', 'apps/*/src/testing/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@cloudoptim/simulator'], message: 'Only the CLI (sim, demo) may import the simulator.' }] }],
    },
  },
);
