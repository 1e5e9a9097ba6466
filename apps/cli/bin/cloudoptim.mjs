#!/usr/bin/env node
// The CLI runs its TypeScript sources through tsx, so a fresh `npm ci` needs no build step.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every start that its 2027 releases will need Node 22; the pinned SDK runs on Node 20, and the
// repeated banner buries the CLI's own output. Node's default printer is replaced by one that skips only that.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name !== 'NodeVersionSupportWarning' && !warning.message.startsWith('NodeVersionSupportWarning')) process.stderr.write(`(node) ${warning.name}: ${warning.message}\n`);
});

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
