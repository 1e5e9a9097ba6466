/**
 * Hand-made XGBoost `save_model` JSON documents shaped like XGBoost 2.x output (string parameters, 0/1
 * `default_left`, the statistics arrays XGBoost writes), small enough to score by hand in tests.
 */
import { FEATURE_NAMES } from '@cloudoptim/engines';

interface NodeSpec {
  /** Split: feature index, threshold, children, missing goes left. Leaf: value. */
  split?: { feature: number; threshold: number; left: number; right: number; defaultLeft: boolean };
  leaf?: number;
}

export function xgbTree(id: number, nodes: NodeSpec[]) {
  const n = nodes.length;
  const parents = Array.from({ length: n }, () => 2147483647);
  nodes.forEach((node, i) => {
    if (node.split) {
      parents[node.split.left] = i;
      parents[node.split.right] = i;
    }
  });
  return {
    base_weights: nodes.map((node) => node.leaf ?? 0),
    categories: [],
    categories_nodes: [],
    categories_segments: [],
    categories_sizes: [],
    default_left: nodes.map((node) => (node.split?.defaultLeft ? 1 : 0)),
    id,
    left_children: nodes.map((node) => node.split?.left ?? -1),
    loss_changes: nodes.map(() => 0),
    parents,
    right_children: nodes.map((node) => node.split?.right ?? -1),
    split_conditions: nodes.map((node) => node.split?.threshold ?? node.leaf ?? 0),
    split_indices: nodes.map((node) => node.split?.feature ?? 0),
    split_type: nodes.map(() => 0),
    sum_hessian: nodes.map(() => 1),
    tree_param: { num_deleted: '0', num_feature: String(FEATURE_NAMES.length), num_nodes: String(n), size_leaf_vector: '1' },
  };
}

export function xgbDocument(options: { objective: string; baseScore: string; numClass?: number; trees: ReturnType<typeof xgbTree>[]; treeInfo: number[]; featureNames?: string[]; numFeature?: number }) {
  return {
    learner: {
      attributes: {},
      feature_names: options.featureNames ?? [],
      feature_types: [],
      gradient_booster: {
        model: {
          gbtree_model_param: { num_parallel_tree: '1', num_trees: String(options.trees.length) },
          iteration_indptr: [0, options.trees.length],
          tree_info: options.treeInfo,
          trees: options.trees,
        },
        name: 'gbtree',
      },
      learner_model_param: { base_score: options.baseScore, boost_from_average: '1', num_class: String(options.numClass ?? 0), num_feature: String(options.numFeature ?? FEATURE_NAMES.length), num_target: '1' },
      objective: { name: options.objective, reg_loss_param: { scale_pos_weight: '1' } },
    },
    version: [2, 1, 3],
  };
}

/**
 * A binary:logistic model of "next bucket ≥ 2": base 0.25; tree 0 on `bucket` (< 2 → −0.4, else 0.6, missing
 * left); tree 1 on `prev_bucket` (< 1.5 → −0.1, else 0.2, missing right).
 */
export function binaryRiskXgboost() {
  return xgbDocument({
    objective: 'binary:logistic',
    baseScore: '2.5E-1',
    treeInfo: [0, 0],
    trees: [
      xgbTree(0, [{ split: { feature: 0, threshold: 2, left: 1, right: 2, defaultLeft: true } }, { leaf: -0.4 }, { leaf: 0.6 }]),
      xgbTree(1, [{ split: { feature: 2, threshold: 1.5, left: 1, right: 2, defaultLeft: false } }, { leaf: -0.1 }, { leaf: 0.2 }]),
    ],
  });
}

/** A multi:softprob bucket classifier: one stump per class on `bucket`, favouring the class equal to it. */
export function bucketXgboost() {
  const trees = [0, 1, 2, 3, 4].map((k) => xgbTree(k, [{ split: { feature: 0, threshold: k, left: 1, right: 2, defaultLeft: true } }, { leaf: 0 }, { split: { feature: 0, threshold: k + 1, left: 3, right: 4, defaultLeft: false } }, { leaf: 2 }, { leaf: 0 }]));
  return xgbDocument({ objective: 'multi:softprob', baseScore: '5E-1', numClass: 5, treeInfo: [0, 1, 2, 3, 4], trees });
}
