import { describe, expect, it } from 'vitest';
import { checkModelFile, heldOutScores, MAX_MODEL_BYTES, toBase64 } from './model-upload.ts';

describe('checkModelFile', () => {
  it('accepts a JSON native artifact', () => {
    expect(checkModelFile({ name: 'm.json', size: 10 }, '{"version":"1"}', 'native', '')).toEqual({ ok: true, problems: [] });
  });
  it('lists every problem of a bad file in words', () => {
    const check = checkModelFile({ name: 'm.json', size: 5 }, 'nope!', 'xgboost-json', ' ');
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual(['m.json is not valid JSON, so it cannot be a xgboost-json model.', 'A xgboost-json model needs a version (native artifacts carry their own).']);
    expect(checkModelFile({ name: 'e.onnx', size: 0 }, null, 'onnx', '1.0.0').problems).toEqual(['e.onnx is empty.']);
    expect(checkModelFile({ name: 'big.onnx', size: MAX_MODEL_BYTES + 1 }, null, 'onnx', '1.0.0').ok).toBe(false);
  });
});

describe('toBase64', () => {
  it('encodes bytes, also past the chunk size', () => {
    expect(toBase64(new TextEncoder().encode('hello'))).toBe('aGVsbG8=');
    const big = new Uint8Array(70_000).fill(65);
    expect(atob(toBase64(big)).length).toBe(70_000);
  });
});

describe('heldOutScores', () => {
  it('reads the evaluation stored with a model', () => {
    expect(heldOutScores({ metrics: { held_out: { model: { auc: 0.8, brier: 0.1, note: 'x' } } } })).toEqual({ auc: 0.8, brier: 0.1 });
    expect(heldOutScores({ metrics: null })).toBeNull();
  });
});
