import type { Env } from '@cloudoptim/runtime';
import type { CliIo } from '../io.ts';

/** A CliIo that records output, for running commands in-process in tests. */
export function bufferIo(env: Env = {}, cwd = process.cwd()): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    env,
    cwd,
    interactive: false,
    stdout: (text) => void (out += text),
    stderr: (text) => void (err += text),
    out: () => out,
    err: () => err,
  };
}
