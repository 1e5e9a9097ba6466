import type { Logger } from '@cloudoptim/runtime';

/** Counts the error lines every component of the demo logs (the summary's `errors`), then passes them on. */
export class ErrorCounter {
  count = 0;
  readonly samples: string[] = [];

  wrap(base: Logger): Logger {
    return {
      debug: (obj, msg) => base.debug(obj, msg),
      info: (obj, msg) => base.info(obj, msg),
      warn: (obj, msg) => base.warn(obj, msg),
      error: (obj, msg) => {
        this.count++;
        if (this.samples.length < 20) this.samples.push(`${msg ?? ''} ${JSON.stringify(obj).slice(0, 300)}`);
        base.error(obj, msg);
      },
      child: (bindings) => this.wrap(base.child(bindings)),
    };
  }
}
