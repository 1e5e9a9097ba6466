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
          '  npx cloudoptim sim --scenario steady                                    local AWS + Kubernetes on real spot prices (kubectl works)',
          '  npx cloudoptim market types --region us-east-1 --vcpu 2 --memory 8      instance types that fit, with prices',
          '  npx cloudoptim market price --region us-east-1 --type m5.large --json  on-demand price and Spot Advisor data',
          '  npx cloudoptim backtest --region us-east-1 --from 2021-04-01 --to 2021-04-15 --workload docs/examples/backtest-workload.json',
          '  npx cloudoptim binpack --problem docs/examples/binpack-consolidate.json  pack / consolidate with a proven bound',
          '  npx cloudoptim schedule check --spec "Mon-Fri 08:00-19:00 Europe/Berlin" --at 2026-11-26T10:00:00Z',
          '  npx cloudoptim db migrate                                              create or upgrade the database',
          '  npm run bench                                                          run the benchmarks',
          '  npx cloudoptim --help                                                  everything else',
          '',
        ].join('\n'),
      );
    });
}
