import type { Command } from 'commander';
import type { CliIo } from '../io.ts';
import { DemoOptionsSchema, runDemo } from './demo.command.ts';

/** `npm start` lands here: the one-command demo with its defaults (`cloudoptim demo --help` for the options). */
export function registerStartCommand(program: Command, io: CliIo): void {
  program
    .command('start')
    .description('start the CloudOptim demo on this machine (same as `cloudoptim demo` with its defaults)')
    .action(() => runDemo(DemoOptionsSchema.parse({}), io));
}
