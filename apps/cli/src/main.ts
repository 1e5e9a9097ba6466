import { Command, CommanderError } from 'commander';
import { describeError } from '@cloudoptim/runtime';
import { isAppError, type ErrorCode, type ErrorEnvelope } from '@cloudoptim/contracts';
import { processIo, type CliIo } from './io.ts';
import { registerMarketCommands } from './commands/market.command.ts';
import { registerDbCommands } from './commands/db.command.ts';
import { registerBenchCommand } from './commands/bench.command.ts';
import { registerStartCommand } from './commands/start.command.ts';
import { registerScheduleCommand } from './commands/schedule.command.ts';
import { registerBacktestCommand } from './commands/backtest.command.ts';
import { registerBinpackCommand } from './commands/binpack.command.ts';
import { registerSimCommand } from './commands/sim.command.ts';
import { registerMlCommand } from './commands/ml.command.ts';
import { registerAgentCommand } from './commands/agent.command.ts';
import { registerCentralCommand } from './commands/central.command.ts';
import { registerDemoCommand } from './commands/demo.command.ts';

/** Exit codes: 0 done, 1 the command failed, 2 the command line or configuration is wrong. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Failures that mean "what you asked for is wrong", not "it broke". */
const USAGE_ERRORS = new Set<ErrorCode>(['VALIDATION_FAILED', 'CONFIG_INVALID', 'UNKNOWN_REGION', 'UNKNOWN_INSTANCE_TYPE']);

export function buildProgram(io: CliIo): Command {
  const program = new Command('cloudoptim')
    .description('CloudOptim: run Kubernetes on AWS Spot safely, pack and right-size workloads, prove the savings.')
    .version('0.1.0')
    .option('--verbose', 'show stack traces of unexpected errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  registerStartCommand(program, io);
  registerMarketCommands(program, io);
  registerDbCommands(program, io);
  registerScheduleCommand(program, io);
  registerBacktestCommand(program, io);
  registerBinpackCommand(program, io);
  registerSimCommand(program, io);
  registerMlCommand(program, io);
  registerAgentCommand(program, io);
  registerCentralCommand(program, io);
  registerDemoCommand(program, io);
  registerBenchCommand(program, io);
  for (const command of program.commands) command.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  return program;
}

/** Runs the CLI and returns its exit code; never throws. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; its own message is already printed.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const json = argv.includes('--json');
    if (json) {
      io.stderr(`${JSON.stringify(cliErrorEnvelope(error))}\n`);
    } else {
      io.stderr(`${describeError(error, argv.includes('--verbose'))}\n`);
    }
    if (isAppError(error) && USAGE_ERRORS.has(error.code)) return EXIT.usage;
    return EXIT.failed;
  }
}

/**
 * The envelope for a failure in a local command. Unlike an HTTP answer it keeps the full message and details
 * of 5xx-class errors (a corrupt data file names its file and row): the person running it owns the machine.
 */
function cliErrorEnvelope(error: unknown): ErrorEnvelope {
  const timestamp = new Date().toISOString();
  if (isAppError(error)) {
    return { error: { code: error.code, message: error.message, details: error.details, request_id: 'cli', timestamp } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { error: { code: 'INTERNAL', message, details: null, request_id: 'cli', timestamp } };
}
