/**
 * XGBoost models saved with `Booster.save_model('model.json')` (the JSON format of XGBoost ≥ 1.0), scored
 * natively in TypeScript: no XGBoost runtime needed.
 *
 * What is read: `learner.gradient_booster` (`gbtree` only: `model.trees[]` with `split_indices`,
 * `split_conditions`, `left_children`, `right_children`, `default_left`; `model.tree_info` = the output group
 * of each tree), `learner.learner_model_param` (`base_score`, `num_class`, `num_feature`),
 * `learner.objective.name` and `learner.feature_names`.
 *
 * Semantics (as XGBoost predicts): at a split node go left when `x[split_index] < split_condition`, and follow
 * `default_left` when the value is missing (NaN); a leaf (`left_children` = −1) contributes its
 * `split_conditions` entry (XGBoost stores leaf values there). Comparisons are in float32, as in XGBoost. The margin of an output group is the
 * intercept plus the sum of its trees' leaves. Intercept: `binary:logistic`, `reg:logistic` and
 * `binary:logitraw` store `base_score` as a probability → logit(base_score); `multi:softprob` / `multi:softmax`
 * use the stored value(s) as margins, as XGBoost does (a constant shift cancels in the softmax).
 *
 * What the model must predict, over the engines' FEATURE_NAMES (num_feature = 22, in that order; named
 * `feature_names` must match): either the bucket at the next Spot Advisor snapshot (`multi:softprob` /
 * `multi:softmax`, num_class = 5, classes = buckets 0…4) or "next bucket ≥ 2" (`binary:logistic`,
 * `reg:logistic`, `binary:logitraw`). Categorical splits, `dart` and `gblinear` boosters and vector leaves are
 * refused (UNPROCESSABLE); a malformed document is VALIDATION_FAILED naming the JSON path.
 */
import { z } from 'zod';
import { AppError, parseOrThrow } from '@cloudoptim/contracts';
import { FEATURE_NAMES } from '@cloudoptim/engines';
import { type ModelScore, type ScoringModel, scoreOfBinary, scoreOfBuckets } from './scoring-model.ts';

/** Trees (over all groups) and nodes per tree accepted: far above any sensible risk model, a bound on memory. */
const MAX_TREES = 20_000;
const MAX_NODES_PER_TREE = 1 << 17;

const BINARY_OBJECTIVES = ['binary:logistic', 'reg:logistic', 'binary:logitraw'] as const;
const MULTI_OBJECTIVES = ['multi:softprob', 'multi:softmax'] as const;

const intArray = z.array(z.number().int());
const TreeSchema = z.object({
  split_indices: intArray,
  split_conditions: z.array(z.number()),
  left_children: intArray,
  right_children: intArray,
  default_left: z.array(z.union([z.boolean(), z.literal(0), z.literal(1)])),
  split_type: z.array(z.number().int()).optional(),
  tree_param: z.object({ size_leaf_vector: z.string().optional() }).loose().optional(),
});

const NumberString = z.string().regex(/^\s*\[?\s*[-+0-9.eE]+(\s*,\s*[-+0-9.eE]+)*\s*\]?\s*$/, 'must be a number (or a bracketed list of numbers) as a string');

const XgboostDocumentSchema = z.object({
  learner: z.object({
    feature_names: z.array(z.string()).optional(),
    gradient_booster: z.object({
      name: z.string(),
      model: z
        .object({
          trees: z.array(TreeSchema).min(1).max(MAX_TREES),
          tree_info: intArray,
        })
        .optional(),
    }),
    learner_model_param: z.object({
      base_score: NumberString,
      num_class: z.string().regex(/^\d+$/).optional(),
      num_feature: z.string().regex(/^\d+$/),
    }),
    objective: z.object({ name: z.string() }),
  }),
});

interface CompiledTree {
  feature: Int32Array;
  /** float32, as XGBoost stores and compares them. */
  threshold: Float32Array;
  left: Int32Array;
  right: Int32Array;
  defaultLeft: Uint8Array;
}

/** A parsed XGBoost model: margins per output group for a feature row. */
export interface XgboostModel {
  objective: string;
  /** 1 for binary objectives, 5 for the bucket classifier. */
  groups: number;
  margins(features: readonly number[]): Float64Array;
}

function unprocessable(message: string, path: string): AppError {
  return new AppError('UNPROCESSABLE', `XGBoost model: ${message}`, { path });
}

function invalid(message: string, path: string): AppError {
  return new AppError('VALIDATION_FAILED', `XGBoost model is invalid: ${path}: ${message}`, { issues: [{ path, message }] });
}

function parseNumbers(text: string): number[] {
  return text
    .replace(/[[\]\s]/g, '')
    .split(',')
    .map(Number);
}

/** Checks one tree's arrays and that every node is reached exactly once from the root (no cycle, no sharing). */
function compileTree(tree: z.output<typeof TreeSchema>, index: number, featureCount: number): CompiledTree {
  const path = `learner.gradient_booster.model.trees.${index}`;
  const n = tree.left_children.length;
  if (n === 0 || n > MAX_NODES_PER_TREE) throw invalid(`must have 1–${MAX_NODES_PER_TREE} nodes`, `${path}.left_children`);
  for (const [name, arr] of [['right_children', tree.right_children], ['split_indices', tree.split_indices], ['split_conditions', tree.split_conditions], ['default_left', tree.default_left]] as const) {
    if (arr.length !== n) throw invalid(`has ${arr.length} entries, left_children has ${n}`, `${path}.${name}`);
  }
  if (tree.split_type?.some((t) => t !== 0)) throw unprocessable('categorical splits are not supported; retrain with numerical features', `${path}.split_type`);
  if (Number(tree.tree_param?.size_leaf_vector ?? '1') > 1) throw unprocessable('vector leaves (multi-target trees) are not supported', `${path}.tree_param.size_leaf_vector`);
  const seen = new Uint8Array(n);
  const stack = [0];
  while (stack.length > 0) {
    const node = stack.pop() as number;
    if (seen[node]) throw invalid(`node ${node} is reached twice (the tree has a cycle or shared nodes)`, path);
    seen[node] = 1;
    const l = tree.left_children[node] as number;
    const r = tree.right_children[node] as number;
    if (l === -1 && r === -1) continue;
    if (l < 0 || l >= n || r < 0 || r >= n) throw invalid(`node ${node} has children out of range`, `${path}.left_children`);
    const f = tree.split_indices[node] as number;
    if (f < 0 || f >= featureCount) throw invalid(`node ${node} splits on feature ${f}; the model has ${featureCount}`, `${path}.split_indices`);
    stack.push(l, r);
  }
  return {
    feature: Int32Array.from(tree.split_indices),
    threshold: Float32Array.from(tree.split_conditions),
    left: Int32Array.from(tree.left_children),
    right: Int32Array.from(tree.right_children),
    defaultLeft: Uint8Array.from(tree.default_left, (d) => (d === true || d === 1 ? 1 : 0)),
  };
}

function leafOf(t: CompiledTree, x: readonly number[]): number {
  let node = 0;
  for (;;) {
    const l = t.left[node] as number;
    if (l === -1) return t.threshold[node] as number;
    // XGBoost compares in float32: a value on a threshold must go the same way here.
    const v = Math.fround(x[t.feature[node] as number] as number);
    node = Number.isNaN(v) ? (t.defaultLeft[node] ? l : (t.right[node] as number)) : v < (t.threshold[node] as number) ? l : (t.right[node] as number);
  }
}

/** Parses a `save_model` JSON document (already JSON-parsed). @throws AppError VALIDATION_FAILED / UNPROCESSABLE. */
export function parseXgboostModel(document: unknown): XgboostModel {
  const doc = parseOrThrow(XgboostDocumentSchema, document, 'XGBoost model').learner;
  const booster = doc.gradient_booster;
  if (booster.name !== 'gbtree' || !booster.model) throw unprocessable(`booster ${booster.name} is not supported; save a gbtree booster`, 'learner.gradient_booster.name');
  const objective = doc.objective.name;
  const binary = (BINARY_OBJECTIVES as readonly string[]).includes(objective);
  const multi = (MULTI_OBJECTIVES as readonly string[]).includes(objective);
  if (!binary && !multi) throw unprocessable(`objective ${objective} does not give an interruption probability; use binary:logistic (next bucket ≥ 2) or multi:softprob with 5 classes (the buckets)`, 'learner.objective.name');
  const groups = binary ? 1 : Number(doc.learner_model_param.num_class ?? '0');
  if (multi && groups !== 5) throw unprocessable(`num_class is ${groups}; the bucket classifier needs 5 classes (buckets 0–4)`, 'learner.learner_model_param.num_class');
  const featureCount = Number(doc.learner_model_param.num_feature);
  if (featureCount !== FEATURE_NAMES.length) throw invalid(`is ${featureCount}; the risk features are ${FEATURE_NAMES.length} (${FEATURE_NAMES.join(', ')})`, 'learner.learner_model_param.num_feature');
  if (doc.feature_names && doc.feature_names.length > 0 && doc.feature_names.join() !== FEATURE_NAMES.join()) {
    throw invalid(`must be exactly ${FEATURE_NAMES.join(', ')} (in that order)`, 'learner.feature_names');
  }
  const base = parseNumbers(doc.learner_model_param.base_score);
  if (base.some((b) => !Number.isFinite(b)) || (base.length !== 1 && base.length !== groups)) throw invalid(`must be one number or ${groups}`, 'learner.learner_model_param.base_score');
  if (binary && !((base[0] as number) > 0 && (base[0] as number) < 1)) throw invalid('must be a probability in (0, 1) for a logistic objective', 'learner.learner_model_param.base_score');
  const intercepts = Float64Array.from({ length: groups }, (_, g) => {
    const b = (base.length === 1 ? base[0] : base[g]) as number;
    return binary ? Math.log(b / (1 - b)) : b;
  });
  const { trees, tree_info: treeInfo } = booster.model;
  if (treeInfo.length !== trees.length) throw invalid(`has ${treeInfo.length} entries for ${trees.length} trees`, 'learner.gradient_booster.model.tree_info');
  const byGroup: CompiledTree[][] = Array.from({ length: groups }, () => []);
  trees.forEach((tree, i) => {
    const group = treeInfo[i] as number;
    if (group < 0 || group >= groups) throw invalid(`tree ${i} is in output group ${group}; the model has ${groups}`, 'learner.gradient_booster.model.tree_info');
    (byGroup[group] as CompiledTree[]).push(compileTree(tree, i, featureCount));
  });
  return {
    objective,
    groups,
    margins(features) {
      const out = Float64Array.from(intercepts);
      for (let g = 0; g < groups; g++) {
        let sum = 0;
        for (const t of byGroup[g] as CompiledTree[]) sum += leafOf(t, features);
        out[g] = (out[g] as number) + sum;
      }
      return out;
    },
  };
}

/** The model as a {@link ScoringModel}: bucket distribution (softmax) or P(≥ 2) (sigmoid). */
export function xgboostScoringModel(model: XgboostModel, version: string): ScoringModel {
  const score = (features: readonly number[]): ModelScore => {
    const m = model.margins(features);
    if (model.groups === 1) return scoreOfBinary(1 / (1 + Math.exp(-(m[0] as number))));
    const max = Math.max(...m);
    const exps = Array.from(m, (v) => Math.exp(v - max));
    const total = exps.reduce((s, e) => s + e, 0);
    return scoreOfBuckets(exps.map((e) => e / total));
  };
  return { version, format: 'xgboost-json', score };
}
