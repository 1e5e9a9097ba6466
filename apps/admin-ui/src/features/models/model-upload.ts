/**
 * Checks a model file before it is sent (the ML server validates it again, thoroughly): size, emptiness, and
 * for the JSON formats that it parses. Also the base64 encoding the upload needs.
 */
import type { ModelFormat, ModelView } from '../../api/wire-types.ts';

/** The ML server's default upload limit (ML_SERVER_MODEL_MAX_BYTES); central's body limit is larger. */
export const MAX_MODEL_BYTES = 32 * 1024 * 1024;

export interface ModelFileCheck {
  ok: boolean;
  /** Problems in words, empty when ok. */
  problems: string[];
}

export function checkModelFile(file: { name: string; size: number }, text: string | null, format: ModelFormat, version: string): ModelFileCheck {
  const problems: string[] = [];
  if (file.size === 0) problems.push(`${file.name} is empty.`);
  if (file.size > MAX_MODEL_BYTES) problems.push(`${file.name} is ${(file.size / 2 ** 20).toFixed(1)} MiB; the limit is ${MAX_MODEL_BYTES / 2 ** 20} MiB.`);
  if (format !== 'onnx' && text !== null && file.size > 0) {
    try {
      JSON.parse(text);
    } catch {
      problems.push(`${file.name} is not valid JSON, so it cannot be a ${format} model.`);
    }
  }
  if (format !== 'native' && version.trim() === '') problems.push(`A ${format} model needs a version (native artifacts carry their own).`);
  return { ok: problems.length === 0, problems };
}

/** Bytes as base64 (chunked: large files would overflow the argument list of fromCharCode). */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}

/** The held-out scores stored with a model (AUC, Brier…), when it was evaluated. */
export function heldOutScores(model: Pick<ModelView, 'metrics'>): Record<string, number> | null {
  const heldOut = model.metrics?.held_out;
  if (typeof heldOut !== 'object' || heldOut === null) return null;
  const scores = (heldOut as { model?: unknown }).model;
  if (typeof scores !== 'object' || scores === null) return null;
  return Object.fromEntries(Object.entries(scores).filter((e): e is [string, number] => typeof e[1] === 'number'));
}
