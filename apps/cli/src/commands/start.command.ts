import type { Command } from 'commander';
import type { CliIo } from '../io.ts';

/**
 * `npm start` lands here. The one-command demo (simulator + ML server + central + agent) is not built yet,
 * so this says plainly what the CLI can do today instead of pretending.
 */
export function registerStartCommand(program: Command, io: CliIo): void {
  program
    .command('start')
    .description('start CloudOptim on this machine (the demo, once it exists; for now: what is available)')
    .action(() => {
      io.stdout(
        [
          'CloudOptim — the one-command demo is not available yet in this build.',
          '',
          'What works today:',
          '  npx cloudoptim market types --region us-east-1 --vcpu 2 --memory 8      instance types that fit, with prices',
          '  npx cloudoptim market price --region us-east-1 --type m5.large --json  on-demand price and Spot Advisor data',
          '  npx cloudoptim market spot-history --region us-east-1 --type m5.large --from 2021-05-01 --to 2021-05-02',
          '  npx cloudoptim db migrate                                              create or upgrade the database',
          '  npm run bench                                                          run the benchmarks',
          '  npx cloudoptim --help                                                  everything else',
          '',
        ].join('\n'),
      );
    });
}
