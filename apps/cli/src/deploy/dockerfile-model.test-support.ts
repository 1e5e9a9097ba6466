/**
 * A small reading of Dockerfiles for the image tests: stages, their instructions, and which workspace
 * package.json files a stage's filesystem holds when it runs `npm ci` (following FROM <stage> and
 * COPY --from=<stage>). No Docker engine runs here, so the images are checked by their text.
 */
import path from 'node:path';

export interface Instruction {
  op: string;
  /** The arguments as written (continuation lines joined). */
  args: string;
}

export interface Stage {
  index: number;
  name: string | undefined;
  /** FROM's image, with global ARG defaults substituted. */
  from: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** Global ARGs (before the first FROM) and their defaults. */
  args: Record<string, string>;
  stages: Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
  const logical: string[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    // Docker drops comment lines, also between continued lines.
    if (/^\s*#/.test(line)) continue;
    const continued = /\\\s*$/.test(line);
    pending += `${continued ? line.replace(/\\\s*$/, '') : line} `;
    if (!continued) {
      if (pending.trim() !== '') logical.push(pending.trim().replace(/\s+/g, ' '));
      pending = '';
    }
  }
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of logical) {
    const [op, ...rest] = line.split(' ');
    const instruction = { op: op!.toUpperCase(), args: rest.join(' ') };
    if (instruction.op === 'FROM') {
      const m = /^(?:--platform=\S+ )?(\S+)(?: AS (\S+))?$/i.exec(instruction.args);
      if (!m) throw new Error(`cannot read FROM ${instruction.args}`);
      const from = m[1]!.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => args[(a ?? b)!] ?? '');
      stages.push({ index: stages.length, name: m[2], from, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.op === 'ARG') {
        const [name, value] = instruction.args.split('=');
        args[name!] = value ?? '';
      }
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return { args, stages };
}

export interface Copy {
  from: string | undefined;
  sources: string[];
  dest: string;
}

/** A COPY's --from, sources and destination (other flags dropped; JSON form is not used in this repo). */
export function parseCopy(args: string): Copy {
  const words = args.split(' ');
  let from: string | undefined;
  const rest: string[] = [];
  for (const w of words) {
    if (w.startsWith('--from=')) from = w.slice('--from='.length);
    else if (!w.startsWith('--')) rest.push(w);
  }
  return { from, sources: rest.slice(0, -1), dest: rest.at(-1)! };
}

export function stageByRef(file: Dockerfile, ref: string): Stage | undefined {
  return file.stages.find((s) => s.name === ref || String(s.index) === ref);
}

/** The stage a stage is built FROM, when that is another stage of the same file. */
export function parentStage(file: Dockerfile, stage: Stage): Stage | undefined {
  return file.stages.slice(0, stage.index).find((s) => s.name === stage.from);
}

/** The working directory in effect after `upTo` instructions of the stage (inherited from a parent stage). */
export function workdirAt(file: Dockerfile, stage: Stage, upTo = stage.instructions.length): string {
  let dir = parentStage(file, stage) ? workdirAt(file, parentStage(file, stage)!) : '/';
  for (const i of stage.instructions.slice(0, upTo)) if (i.op === 'WORKDIR') dir = path.posix.resolve(dir, i.args);
  return dir;
}

/**
 * Absolute paths in the stage's filesystem (after `upTo` instructions) of the build-context files in
 * `contextFiles` (repo-relative): copied directly, or copied from another stage that had them.
 */
export function contextFilesIn(file: Dockerfile, stage: Stage, contextFiles: string[], upTo = stage.instructions.length): Map<string, string> {
  const held = new Map<string, string>();
  const parent = parentStage(file, stage);
  if (parent) for (const [image, context] of contextFilesIn(file, parent, contextFiles)) held.set(image, context);
  stage.instructions.slice(0, upTo).forEach((instruction, at) => {
    if (instruction.op !== 'COPY' && instruction.op !== 'ADD') return;
    const copy = parseCopy(instruction.args);
    const dest = path.posix.resolve(workdirAt(file, stage, at), copy.dest);
    const destIsDir = copy.dest.endsWith('/') || copy.sources.length > 1;
    for (const source of copy.sources) {
      if (copy.from === undefined) {
        const src = path.posix.normalize(source).replace(/\/$/, '');
        for (const f of contextFiles) {
          if (f === src) held.set(destIsDir ? path.posix.join(dest, path.posix.basename(f)) : dest, f);
          else if (src === '.' || f.startsWith(`${src}/`)) held.set(path.posix.join(dest, src === '.' ? f : f.slice(src.length + 1)), f);
        }
      } else {
        const other = stageByRef(file, copy.from);
        if (!other) continue;
        const src = path.posix.resolve(workdirAt(file, other), source).replace(/\/$/, '');
        for (const [image, context] of contextFilesIn(file, other, contextFiles)) {
          if (image === src) held.set(destIsDir ? path.posix.join(dest, path.posix.basename(image)) : dest, context);
          else if (image.startsWith(`${src}/`)) held.set(path.posix.join(dest, image.slice(src.length + 1)), context);
        }
      }
    }
  });
  return held;
}
