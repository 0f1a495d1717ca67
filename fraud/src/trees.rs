//! The deployed gradient-boosted trees, evaluated natively from the model's ONNX file.
//!
//! ONNX Runtime's `TreeEnsembleClassifier` walks one row through one tree at a time, a chain of dependent,
//! unpredictable branches: ~10 µs per row for the deployed ~400 trees of 31 leaves, which held batched scoring
//! to ~60k receipts/s per core. [`TreeEnsemble`] runs the same trees from the same file, walking a block of rows
//! through each tree in lock step: every step is a data-dependent load and an index computed from a comparison,
//! with no branch to mispredict, and the rows of a block are independent chains that the core overlaps.
//!
//! It accepts only what it reproduces exactly: one `ai.onnx.ml.TreeEnsembleClassifier` (two classes, one score
//! per leaf, `BRANCH_LEQ` splits, a `NONE` or `LOGISTIC` post-transform), which [`crate::native`] finds in the
//! graph. [`crate::score::Scorer`] also checks, when it loads a model, that the native model and ONNX Runtime
//! agree on probe rows placed on the split thresholds; otherwise ONNX Runtime scores.

use std::collections::{HashMap, HashSet};

use crate::features::{Features, N_FEATURES};
use crate::native::{logistic, Unsupported};
use crate::onnx::{AttributeProto, NodeProto};
use crate::rng::Rng;

/// One node as the file gives it: `next[0]` when a row goes the split's true way (`x <= threshold`), `next[1]`
/// otherwise; a leaf points at itself both ways.
#[derive(Debug, Clone, Copy)]
struct Node {
    threshold: f32,
    next: [u32; 2],
    feature: u8,
    /// A missing (NaN) value takes the true way (ONNX `nodes_missing_value_tracks_true`).
    nan_true: bool,
    /// Longest path from this node down to a leaf (0 for a leaf).
    height: u8,
}

/// One node laid out for the walk: each split's two children are adjacent, the true way at `children`, the
/// false way at `children + 1`, so a step computes the next index instead of loading it. A leaf is a split
/// that every row takes the true way, to itself (threshold +∞, missing values too), so that rows which reach
/// their leaf early wait there while the block's other rows walk on.
#[derive(Debug, Clone, Copy)]
struct Step {
    threshold: f32,
    children: u32,
    feature: u8,
    nan_true: bool,
    /// Longest path from here down to a leaf: the walk of a block ends once every row stands at height 0.
    height: u8,
}

/// A binary tree-ensemble classifier: `score = post_transform(base + Σ leaf weights)`.
#[derive(Debug, Clone)]
pub struct TreeEnsemble {
    steps: Vec<Step>,
    /// Leaf weights by step index (0 for splits).
    weights: Vec<f32>,
    /// Each tree's root.
    roots: Vec<u32>,
    base: f32,
    logistic: bool,
}

/// Rows walked through a tree together: enough independent chains to hide a load's latency, few enough that
/// their positions stay in registers. Measured with a 398-tree model (`bench`, batches of 1,024, one thread,
/// features included): blocks of 4, 6, 8, 16 and 32 rows gave 135k, 163k, 187k, 147k and 144k receipts/s.
const BLOCK: usize = 8;

/// A row as the walk reads it: padded to a power of two so that indexing by a masked feature number needs no
/// bounds check.
const ROW: usize = 64;
const _: () = assert!(N_FEATURES <= ROW);

impl TreeEnsemble {
    /// Reads a `TreeEnsembleClassifier` node over this build's feature rows.
    ///
    /// # Errors
    /// [`Unsupported::Attribute`] when the node is not of the shape this module reproduces exactly.
    pub(crate) fn from_node(node: &NodeProto) -> Result<Self, Unsupported> {
        let attrs: HashMap<&str, &AttributeProto> = node
            .attribute
            .iter()
            .map(|a| (a.name.as_str(), a))
            .collect();
        let bad = |name: &'static str, why: &str| Unsupported::Attribute(name, why.to_owned());
        let ints = |name: &'static str| attrs.get(name).map_or(&[][..], |a| a.ints.as_slice());
        let floats = |name: &'static str| attrs.get(name).map_or(&[][..], |a| a.floats.as_slice());

        if let Some(a) = attrs.get("classlabels_strings") {
            if !a.strings.is_empty() {
                return Err(bad("classlabels_strings", "string labels"));
            }
        }
        if ints("classlabels_int64s").len() != 2 {
            return Err(bad("classlabels_int64s", "not two classes"));
        }
        let logistic = match attrs
            .get("post_transform")
            .map_or(&b"NONE"[..], |a| a.s.as_slice())
        {
            b"NONE" => false,
            b"LOGISTIC" => true,
            _ => return Err(bad("post_transform", "neither NONE nor LOGISTIC")),
        };
        let base = match floats("base_values") {
            [] => 0.0,
            [b] => *b,
            _ => return Err(bad("base_values", "more than one")),
        };
        for name in [
            "nodes_values_as_tensor",
            "base_values_as_tensor",
            "class_weights_as_tensor",
        ] {
            if attrs.contains_key(name) {
                return Err(Unsupported::Attribute(
                    "*_as_tensor",
                    format!("{name} (double precision)"),
                ));
            }
        }

        let tree_ids = ints("nodes_treeids");
        let node_ids = ints("nodes_nodeids");
        let features = ints("nodes_featureids");
        let values = floats("nodes_values");
        let trues = ints("nodes_truenodeids");
        let falses = ints("nodes_falsenodeids");
        let modes = attrs
            .get("nodes_modes")
            .map_or(&[][..], |a| a.strings.as_slice());
        let nan_tracks = ints("nodes_missing_value_tracks_true");
        let n = tree_ids.len();
        if n == 0
            || [
                node_ids.len(),
                features.len(),
                values.len(),
                trues.len(),
                falses.len(),
                modes.len(),
            ]
            .iter()
            .any(|&l| l != n)
            || !(nan_tracks.is_empty() || nan_tracks.len() == n)
        {
            return Err(bad("nodes_*", "missing, or of unequal lengths"));
        }

        // Node ids are per tree; the walk needs one index space.
        let mut index: HashMap<(i64, i64), u32> = HashMap::with_capacity(n);
        // Trees in the order they first appear, each once even when its
        // nodes are not listed together.
        let mut order: Vec<i64> = Vec::new();
        let mut seen: HashSet<i64> = HashSet::new();
        for (i, key) in tree_ids.iter().zip(node_ids).enumerate() {
            if index.insert((*key.0, *key.1), i as u32).is_some() {
                return Err(bad("nodes_nodeids", "a node id repeats within a tree"));
            }
            if seen.insert(*key.0) {
                order.push(*key.0);
            }
        }
        let at = |tree: i64, node: i64| {
            index.get(&(tree, node)).copied().ok_or_else(|| {
                bad(
                    "nodes_*",
                    "a child or weight names a node that does not exist",
                )
            })
        };
        let mut nodes = Vec::with_capacity(n);
        for i in 0..n {
            let me = i as u32;
            let node = match modes[i].as_slice() {
                b"LEAF" => Node {
                    threshold: 0.0,
                    next: [me, me],
                    feature: 0,
                    nan_true: false,
                    height: 0,
                },
                b"BRANCH_LEQ" => {
                    let feature = usize::try_from(features[i])
                        .ok()
                        .filter(|&f| f < N_FEATURES)
                        .ok_or_else(|| {
                            bad("nodes_featureids", "a feature outside the input row")
                        })?;
                    Node {
                        threshold: values[i],
                        next: [at(tree_ids[i], trues[i])?, at(tree_ids[i], falses[i])?],
                        feature: feature as u8,
                        nan_true: nan_tracks.get(i).is_some_and(|&t| t != 0),
                        height: 0,
                    }
                }
                _ => return Err(bad("nodes_modes", "a split other than BRANCH_LEQ")),
            };
            nodes.push(node);
        }

        let mut weights = vec![0.0f32; n];
        let class_ids = ints("class_ids");
        let class_trees = ints("class_treeids");
        let class_nodes = ints("class_nodeids");
        let class_weights = floats("class_weights");
        if [class_trees.len(), class_nodes.len(), class_weights.len()]
            .iter()
            .any(|&l| l != class_ids.len())
        {
            return Err(bad("class_*", "of unequal lengths"));
        }
        for (k, &class) in class_ids.iter().enumerate() {
            if class != 0 {
                return Err(bad("class_ids", "more than one score per leaf"));
            }
            let i = at(class_trees[k], class_nodes[k])? as usize;
            if modes[i] != b"LEAF" {
                return Err(bad("class_nodeids", "a weight on a split"));
            }
            weights[i] += class_weights[k];
        }

        set_heights(&mut nodes)?;
        let roots = order
            .into_iter()
            .map(|tree| at(tree, 0))
            .collect::<Result<Vec<_>, _>>()?;
        lay_out(&nodes, &weights, &roots, base, logistic)
    }

    /// Number of trees.
    pub fn len(&self) -> usize {
        self.roots.len()
    }

    /// Whether the score is a probability (`LOGISTIC` post-transform) rather than the margin.
    pub fn logistic(&self) -> bool {
        self.logistic
    }

    /// Whether the ensemble has no tree (never, once read).
    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }

    /// Scores of `rows`, in order, into `out` (of the same length).
    ///
    /// # Panics
    /// When `out` and `rows` differ in length.
    pub fn score_to(&self, rows: &[Features], out: &mut [f32]) {
        assert_eq!(rows.len(), out.len(), "one score per row");
        let whole = rows.len() / BLOCK * BLOCK;
        for (rows, out) in rows[..whole]
            .chunks(BLOCK)
            .zip(out[..whole].chunks_mut(BLOCK))
        {
            self.score_block::<BLOCK>(rows, out);
        }
        // The rest one by one: a one-row walk takes each tree's path and no more (a live indexer's case).
        for (row, out) in rows[whole..].iter().zip(&mut out[whole..]) {
            self.score_block::<1>(std::slice::from_ref(row), std::slice::from_mut(out));
        }
    }

    /// Scores `B` rows walked together.
    fn score_block<const B: usize>(&self, rows: &[Features], out: &mut [f32]) {
        let mut xs = [[0.0f32; ROW]; B];
        for (x, row) in xs.iter_mut().zip(rows) {
            x[..N_FEATURES].copy_from_slice(row);
        }
        let mut sums = [self.base; B];
        if rows.iter().flatten().any(|x| x.is_nan()) {
            self.walk::<B, true>(&xs, &mut sums);
        } else {
            self.walk::<B, false>(&xs, &mut sums);
        }
        for (o, s) in out.iter_mut().zip(sums) {
            *o = if self.logistic { logistic(s) } else { s };
        }
    }

    /// Rows whose columns sit on, just below and just above the ensemble's split thresholds, with a few missing
    /// values when `missing`: they take both ways of many splits, the equality edge of `<=` included, so two
    /// evaluators that agree on them read the trees the same way.
    pub fn probe_rows(&self, n: usize, seed: u64, missing: bool) -> Vec<Features> {
        let thresholds: Vec<Vec<f32>> = (0..N_FEATURES)
            .map(|f| {
                self.steps
                    .iter()
                    .filter(|step| step.height > 0 && usize::from(step.feature) == f)
                    .map(|step| step.threshold)
                    .collect()
            })
            .collect();
        let mut rng = Rng::new(seed);
        (0..n)
            .map(|_| {
                let mut row = [0.0f32; N_FEATURES];
                for (x, ts) in row.iter_mut().zip(&thresholds) {
                    if ts.is_empty() {
                        continue;
                    }
                    let t = *rng.pick(ts);
                    *x = match rng.below(20) {
                        0 if missing => f32::NAN,
                        0 => t,
                        1..=6 => t,
                        7..=13 => t.next_down(),
                        _ => t.next_up(),
                    };
                }
                row
            })
            .collect()
    }

    /// Adds each tree's leaf weight to the rows' sums, tree by tree (ONNX Runtime's order of summation).
    /// `NAN`: some row has a missing value (rare, and a costlier step).
    fn walk<const B: usize, const NAN: bool>(&self, xs: &[[f32; ROW]; B], sums: &mut [f32; B]) {
        for &root in &self.roots {
            let mut at = [root; B];
            loop {
                let mut highest = 0;
                for (i, x) in at.iter_mut().zip(xs) {
                    let step = &self.steps[*i as usize];
                    highest = highest.max(step.height);
                    let x = x[usize::from(step.feature) & (ROW - 1)];
                    // Flag arithmetic, not a branch. `x <= t` is false for NaN, which then goes the false way
                    // unless the node sends missing values the true way.
                    let mut true_way = x <= step.threshold;
                    if NAN {
                        true_way |= x.is_nan() & step.nan_true;
                    }
                    *i = step.children + u32::from(!true_way);
                }
                // Each row stood at most `highest` steps above a leaf; one step later, at most `highest - 1`.
                if highest <= 1 {
                    break;
                }
            }
            for (s, i) in sums.iter_mut().zip(at) {
                *s += self.weights[i as usize];
            }
        }
    }
}

/// Sets each node's height (longest path down to a leaf). A graph that is not a forest of trees no deeper
/// than `u8::MAX` is refused.
fn set_heights(nodes: &mut [Node]) -> Result<(), Unsupported> {
    const UNKNOWN: u8 = u8::MAX;
    let refuse = |why: &str| Unsupported::Attribute("nodes_*", why.to_owned());
    let mut height: Vec<u8> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| if n.next == [i as u32; 2] { 0 } else { UNKNOWN })
        .collect();
    let mut stack = Vec::new();
    for start in 0..nodes.len() {
        stack.push(start);
        while let Some(&i) = stack.last() {
            if height[i] != UNKNOWN {
                stack.pop();
                continue;
            }
            // Deeper than the number of nodes: a cycle.
            if stack.len() > nodes.len() {
                return Err(refuse("a tree with a cycle"));
            }
            let [a, b] = nodes[i].next.map(|c| c as usize);
            match (height[a], height[b]) {
                (UNKNOWN, _) => stack.push(a),
                (_, UNKNOWN) => stack.push(b),
                (ha, hb) => {
                    height[i] = ha
                        .max(hb)
                        .checked_add(1)
                        .filter(|&h| h != UNKNOWN)
                        .ok_or_else(|| refuse("a tree deeper than 254"))?;
                    stack.pop();
                }
            }
        }
    }
    for (node, h) in nodes.iter_mut().zip(height) {
        node.height = h;
    }
    Ok(())
}

/// Lays the trees out for the walk (see [`Step`]), breadth first from each root so that a tree's upper
/// levels, which every row visits, share cache lines.
fn lay_out(
    nodes: &[Node],
    weights: &[f32],
    roots: &[u32],
    base: f32,
    logistic: bool,
) -> Result<TreeEnsemble, Unsupported> {
    let placeholder = Step {
        threshold: f32::INFINITY,
        children: 0,
        feature: 0,
        nan_true: true,
        height: 0,
    };
    let mut steps = Vec::with_capacity(nodes.len());
    let mut out_weights = Vec::with_capacity(nodes.len());
    let mut out_roots = Vec::with_capacity(roots.len());
    let mut queue = std::collections::VecDeque::new();
    for &root in roots {
        out_roots.push(steps.len() as u32);
        queue.push_back((root, steps.len()));
        steps.push(placeholder);
        out_weights.push(0.0);
        while let Some((old, new)) = queue.pop_front() {
            let node = nodes[old as usize];
            if node.height == 0 {
                steps[new].children = new as u32;
                out_weights[new] = weights[old as usize];
                continue;
            }
            // A node reached twice (a graph, not a tree) is laid out twice; refuse files where that multiplies.
            if steps.len() > 4 * nodes.len() {
                return Err(Unsupported::Attribute(
                    "nodes_*",
                    "nodes shared between trees".to_owned(),
                ));
            }
            let children = steps.len();
            steps[new] = Step {
                threshold: node.threshold,
                children: children as u32,
                feature: node.feature,
                nan_true: node.nan_true,
                height: node.height,
            };
            for (k, &next) in node.next.iter().enumerate() {
                queue.push_back((next, children + k));
                steps.push(placeholder);
                out_weights.push(0.0);
            }
        }
    }
    Ok(TreeEnsemble {
        steps,
        weights: out_weights,
        roots: out_roots,
        base,
        logistic,
    })
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;
    use crate::native::Native;
    use crate::onnx::build::{floats, ints, strings, text};
    use crate::onnx::{build, GraphProto, ModelProto};

    /// Three trees, written out of order within the third:
    /// - tree 0: `x0 <= 1` (missing: true way) ? (`x1 <= -2` ? 0.5 : -1.0) : 2.0;
    /// - tree 1: a single leaf, 0.25;
    /// - tree 2: `x36 <= 0` ? 0.1 : -0.3, its nodes listed 1, 2, 0;
    ///
    /// and a base value of 0.125.
    fn attributes() -> Vec<AttributeProto> {
        vec![
            ints("classlabels_int64s", &[0, 1]),
            text("post_transform", "LOGISTIC"),
            floats("base_values", &[0.125]),
            ints("nodes_treeids", &[0, 0, 0, 0, 0, 1, 2, 2, 2]),
            ints("nodes_nodeids", &[0, 1, 2, 3, 4, 0, 1, 2, 0]),
            ints("nodes_featureids", &[0, 1, 0, 0, 0, 0, 0, 0, 36]),
            floats(
                "nodes_values",
                &[1.0, -2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            ),
            ints("nodes_truenodeids", &[1, 3, 0, 0, 0, 0, 0, 0, 2]),
            ints("nodes_falsenodeids", &[2, 4, 0, 0, 0, 0, 0, 0, 1]),
            ints(
                "nodes_missing_value_tracks_true",
                &[1, 0, 0, 0, 0, 0, 0, 0, 0],
            ),
            strings(
                "nodes_modes",
                &[
                    "BRANCH_LEQ",
                    "BRANCH_LEQ",
                    "LEAF",
                    "LEAF",
                    "LEAF",
                    "LEAF",
                    "LEAF",
                    "LEAF",
                    "BRANCH_LEQ",
                ],
            ),
            ints("class_treeids", &[0, 0, 0, 1, 2, 2]),
            ints("class_nodeids", &[2, 3, 4, 0, 1, 2]),
            ints("class_ids", &[0, 0, 0, 0, 0, 0]),
            floats("class_weights", &[2.0, 0.5, -1.0, 0.25, -0.3, 0.1]),
        ]
    }

    /// The same trees, written as code.
    fn margin(x: &Features) -> f32 {
        let t0 = if x[0] <= 1.0 || x[0].is_nan() {
            if x[1] <= -2.0 {
                0.5
            } else {
                -1.0
            }
        } else {
            2.0
        };
        let t2 = if x[36] <= 0.0 { 0.1 } else { -0.3 };
        0.125 + t0 + 0.25 + t2
    }

    fn model(attributes: Vec<AttributeProto>, glue: &[&str]) -> Vec<u8> {
        let mut node = vec![build::trees(attributes)];
        node.extend(glue.iter().map(|op| NodeProto {
            op_type: (*op).to_owned(),
            ..Default::default()
        }));
        build::model(node, Vec::new())
    }

    fn read(bytes: &[u8]) -> Result<TreeEnsemble, Unsupported> {
        match Native::from_onnx(bytes)? {
            Native::Trees(trees) => Ok(trees),
            other => panic!("not trees alone: {}", other.shape()),
        }
    }

    fn trees(attributes: Vec<AttributeProto>) -> TreeEnsemble {
        read(&model(
            attributes,
            &["Identity", "Mul", "Gather", "Reshape"],
        ))
        .expect("supported")
    }

    fn rows() -> Vec<Features> {
        let mut rows = Vec::new();
        for x0 in [0.5, 1.0, 1.0f32.next_up(), 7.0, f32::NAN] {
            for x1 in [-3.0, -2.0, (-2.0f32).next_up(), f32::NAN] {
                for x36 in [-0.0, 0.0, f32::MIN_POSITIVE, f32::NAN, f32::INFINITY] {
                    let mut row = [0.0; N_FEATURES];
                    (row[0], row[1], row[36]) = (x0, x1, x36);
                    rows.push(row);
                }
            }
        }
        rows
    }

    fn scores(trees: &TreeEnsemble, rows: &[Features]) -> Vec<f32> {
        let mut out = vec![f32::NAN; rows.len()];
        trees.score_to(rows, &mut out);
        out
    }

    #[test]
    fn scores_follow_each_split_the_equality_edge_missing_values_and_the_base() {
        let trees = trees(attributes());
        assert_eq!(trees.len(), 3);
        let rows = rows();
        assert_eq!(rows.len(), 100);
        for (row, score) in rows.iter().zip(scores(&trees, &rows)) {
            assert_eq!(
                score,
                logistic(margin(row)),
                "{:?}",
                (row[0], row[1], row[36])
            );
        }

        let mut raw = attributes();
        raw[1] = text("post_transform", "NONE");
        let trees = self::trees(raw);
        for (row, score) in rows.iter().zip(scores(&trees, &rows)) {
            assert_eq!(score, margin(row));
        }
    }

    #[test]
    fn a_tree_whose_nodes_are_not_listed_together_is_read_once() {
        // Tree 2's first node listed before tree 1's: trees 0, 2, 1, 2.
        let order = [0, 1, 2, 3, 4, 6, 5, 7, 8];
        // An attribute's values in that order (an empty list stays empty).
        fn reorder<T: Clone>(values: &[T], order: &[usize]) -> Vec<T> {
            order
                .iter()
                .filter_map(|&i| values.get(i).cloned())
                .collect()
        }
        let raw = attributes()
            .into_iter()
            .map(|mut a| {
                if a.name.starts_with("nodes_") {
                    a.ints = reorder(&a.ints, &order);
                    a.floats = reorder(&a.floats, &order);
                    a.strings = reorder(&a.strings, &order);
                }
                a
            })
            .collect();
        let trees = trees(raw);
        assert_eq!(trees.len(), 3);
        let rows = rows();
        for (row, score) in rows.iter().zip(scores(&trees, &rows)) {
            // Summed in the order 0, 2, 1: equal up to rounding.
            assert!((score - logistic(margin(row))).abs() < 1e-6);
        }
    }

    #[test]
    fn rows_score_the_same_in_blocks_and_one_by_one() {
        let trees = trees(attributes());
        let rows: Vec<Features> = rows().into_iter().cycle().take(3 * BLOCK + 5).collect();
        let together = scores(&trees, &rows);
        let alone: Vec<f32> = rows
            .iter()
            .map(|r| scores(&trees, std::slice::from_ref(r))[0])
            .collect();
        assert_eq!(together, alone);
        assert!(scores(&trees, &[]).is_empty());
    }

    #[test]
    fn probe_rows_take_both_ways_of_every_split() {
        let trees = trees(attributes());
        let probe = trees.probe_rows(64, 1, true);
        assert!(trees
            .probe_rows(64, 1, false)
            .iter()
            .flatten()
            .all(|x| !x.is_nan()));
        for (feature, threshold) in [(0, 1.0), (1, -2.0), (36, 0.0)] {
            let xs: Vec<f32> = probe.iter().map(|r| r[feature]).collect();
            assert!(xs.contains(&threshold), "feature {feature}: the edge");
            assert!(
                xs.iter().any(|&x| x < threshold),
                "feature {feature}: below"
            );
            assert!(
                xs.iter().any(|&x| x > threshold),
                "feature {feature}: above"
            );
            assert!(xs.iter().any(|x| x.is_nan()), "feature {feature}: missing");
        }
    }

    #[test]
    fn refuses_what_it_would_not_reproduce_exactly() {
        let with = |name: &str, attribute: AttributeProto| {
            let mut a = attributes();
            let at = a.iter().position(|x| x.name == name).expect("attribute");
            a[at] = attribute;
            read(&model(a, &[])).expect_err(name)
        };
        let mut modes = vec!["BRANCH_LT", "BRANCH_LEQ"];
        modes.extend(["LEAF"; 6]);
        modes.push("BRANCH_LEQ");
        let cases = [
            (
                with("nodes_modes", strings("nodes_modes", &modes)),
                "nodes_modes",
            ),
            (
                with("classlabels_int64s", ints("classlabels_int64s", &[0, 1, 2])),
                "classlabels_int64s",
            ),
            (
                with("class_ids", ints("class_ids", &[0, 0, 0, 0, 1, 0])),
                "class_ids",
            ),
            (
                with(
                    "nodes_featureids",
                    // The first split reads one feature past the last.
                    ints(
                        "nodes_featureids",
                        &[N_FEATURES as i64, 1, 0, 0, 0, 0, 0, 0, 36],
                    ),
                ),
                "nodes_featureids",
            ),
            (
                with(
                    "nodes_truenodeids",
                    ints("nodes_truenodeids", &[1, 9, 0, 0, 0, 0, 0, 0, 2]),
                ),
                "nodes_*",
            ),
            // Node 1's true way leads back to the root.
            (
                with(
                    "nodes_truenodeids",
                    ints("nodes_truenodeids", &[1, 0, 0, 0, 0, 0, 0, 0, 2]),
                ),
                "nodes_*",
            ),
            (
                with("base_values", floats("base_values", &[0.0, 1.0])),
                "base_values",
            ),
            (
                with("post_transform", text("post_transform", "SOFTMAX")),
                "post_transform",
            ),
            (
                with("nodes_values", floats("nodes_values", &[1.0])),
                "nodes_*",
            ),
        ];
        for (err, attribute) in cases {
            assert!(
                matches!(&err, Unsupported::Attribute(a, _) if *a == attribute),
                "{attribute}: {err}"
            );
        }

        let glued = read(&model(attributes(), &["Identity", "Sigmoid"]));
        assert_eq!(glued.unwrap_err(), Unsupported::Glue("Sigmoid".to_owned()));
        assert!(matches!(read(b"not a model"), Err(Unsupported::Decode(_))));
        let no_trees = ModelProto {
            graph: Some(GraphProto::default()),
        };
        assert_eq!(
            read(&no_trees.encode_to_vec()).unwrap_err(),
            Unsupported::NoModel
        );
    }
}
