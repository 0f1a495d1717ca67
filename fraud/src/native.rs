//! The deployed model evaluated natively, from its ONNX file, in one of the shapes `models/train.py` exports:
//! - [`Native::Trees`]: gradient-boosted trees alone (`--algo gbm`), [`crate::trees`];
//! - [`Native::Mlp`]: the DBN+MLP alone (`--algo dbn`), [`crate::mlp`];
//! - [`Native::Ensemble`]: both (`--algo ensemble`, the deployed model), `sigmoid(trees' margin + MLP logit)`,
//!   the halves of the mean folded into their weights.
//!
//! ONNX Runtime's tree operator walks one row through one tree at a time (~36 ns per tree and row); the native
//! trees walk blocks of rows in lock step, ~2.8× faster, which is what holds batched scoring above 200k
//! receipts/s. Each shape is recognised by its operators and their wiring, glue that preserves values aside;
//! [`crate::score::Scorer`] then checks on probe rows that the native model and ONNX Runtime agree before it
//! scores natively, so a graph read wrongly falls back to ONNX Runtime instead of scoring wrongly.

use std::collections::HashSet;

use prost::Message;

use crate::features::Features;
use crate::mlp::Mlp;
use crate::onnx::{ModelProto, NodeProto};
use crate::trees::TreeEnsemble;

/// Why a model is not one this module evaluates; ONNX Runtime scores it instead.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Unsupported {
    #[error("not an ONNX model: {0}")]
    Decode(String),
    #[error("the graph has neither a TreeEnsembleClassifier nor an MLP on its input")]
    NoModel,
    #[error("the graph has {0} tree ensembles")]
    ManyTrees(usize),
    #[error("the tree ensemble does not read the graph's one input")]
    Input,
    #[error("node {0} is not value-preserving glue (Identity, Cast, Mul, Gather, Reshape)")]
    Glue(String),
    #[error("attribute `{0}`: {1}")]
    Attribute(&'static str, String),
    #[error("the MLP: {0}")]
    Mlp(String),
    #[error("the trees and the MLP are not joined by one Add and one Sigmoid: {0}")]
    Join(String),
}

/// A model the native evaluators score.
#[derive(Debug, Clone)]
pub enum Native {
    Trees(TreeEnsemble),
    Mlp(Mlp),
    /// `sigmoid(trees + mlp)`: the trees without post-transform, the MLP's output a logit.
    Ensemble {
        trees: TreeEnsemble,
        mlp: Mlp,
    },
}

impl Native {
    /// Reads the model of an ONNX file over this build's feature rows.
    ///
    /// # Errors
    /// [`Unsupported`] when the file is not a graph of a shape above.
    pub fn from_onnx(bytes: &[u8]) -> Result<Self, Unsupported> {
        let model = ModelProto::decode(bytes).map_err(|e| Unsupported::Decode(e.to_string()))?;
        let graph = model.graph.unwrap_or_default();
        let is_trees =
            |n: &NodeProto| n.op_type == "TreeEnsembleClassifier" && n.domain == "ai.onnx.ml";
        let trees: Vec<usize> = (0..graph.node.len())
            .filter(|&i| is_trees(&graph.node[i]))
            .collect();
        let trees = match trees.as_slice() {
            [] => None,
            [one] => {
                let node = &graph.node[*one];
                if graph.input.len() != 1 || node.input.first() != Some(&graph.input[0].name) {
                    return Err(Unsupported::Input);
                }
                Some((*one, TreeEnsemble::from_node(node)?))
            }
            many => return Err(Unsupported::ManyTrees(many.len())),
        };
        let mlp = Mlp::find(&graph)?;
        let covered: HashSet<usize> = trees
            .iter()
            .map(|(i, _)| *i)
            .chain(mlp.iter().flat_map(|m| m.nodes.iter().copied()))
            .collect();
        // What joins the models, value-preserving glue aside.
        let mut join: Vec<&str> = Vec::new();
        for (i, node) in graph.node.iter().enumerate() {
            if covered.contains(&i)
                || matches!(
                    node.op_type.as_str(),
                    "Identity" | "Cast" | "Mul" | "Gather" | "Reshape"
                )
            {
                continue;
            }
            join.push(&node.op_type);
        }
        match (trees, mlp) {
            (None, None) => Err(Unsupported::NoModel),
            (Some((_, trees)), None) => match join.first() {
                None => Ok(Native::Trees(trees)),
                Some(op) => Err(Unsupported::Glue((*op).to_owned())),
            },
            (None, Some(found)) => match join.first() {
                None if found.mlp.output_sigmoid() => Ok(Native::Mlp(found.mlp)),
                None => Err(Unsupported::Mlp(
                    "its output is a logit and nothing makes it a probability".into(),
                )),
                Some(op) => Err(Unsupported::Glue((*op).to_owned())),
            },
            (Some((_, trees)), Some(found)) => {
                join.sort_unstable();
                if join != ["Add", "Sigmoid"] {
                    return Err(Unsupported::Join(format!("found {join:?}")));
                }
                if trees.logistic() || found.mlp.output_sigmoid() {
                    return Err(Unsupported::Join(
                        "a member's output is a probability, not a logit".into(),
                    ));
                }
                Ok(Native::Ensemble {
                    trees,
                    mlp: found.mlp,
                })
            }
        }
    }

    /// Scores of `rows`, in order, into `out` (of the same length).
    ///
    /// # Panics
    /// When `out` and `rows` differ in length.
    pub fn score_to(&self, rows: &[Features], out: &mut [f32]) {
        match self {
            Native::Trees(trees) => trees.score_to(rows, out),
            Native::Mlp(mlp) => mlp.score_to(rows, out),
            Native::Ensemble { trees, mlp } => {
                trees.score_to(rows, out);
                mlp.add_logit_to(rows, out);
            }
        }
    }

    /// Rows on which two evaluators that agree read the model the same way: for trees, values on and beside
    /// every split threshold, with missing values; for an MLP, values around and beyond the clip bounds. An
    /// ensemble gets half of each, without missing values: the features are never missing (NaN), and ONNX
    /// Runtime's `Clip` of a NaN is its own affair.
    pub fn probe_rows(&self, n: usize, seed: u64) -> Vec<Features> {
        match self {
            Native::Trees(trees) => trees.probe_rows(n, seed, true),
            Native::Mlp(mlp) => mlp.probe_rows(n, seed),
            Native::Ensemble { trees, mlp } => {
                let mut rows = trees.probe_rows(n / 2, seed, false);
                rows.extend(mlp.probe_rows(n - n / 2, seed));
                rows
            }
        }
    }
}

/// What a [`Native`] model consists of: its trees (0 for none) and its MLP's hidden layers (empty for none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    pub trees: usize,
    pub hidden: Vec<usize>,
}

impl Native {
    /// Its trees and hidden layers.
    pub fn shape(&self) -> Shape {
        let (trees, mlp) = match self {
            Native::Trees(trees) => (trees.len(), None),
            Native::Mlp(mlp) => (0, Some(mlp)),
            Native::Ensemble { trees, mlp } => (trees.len(), Some(mlp)),
        };
        Shape {
            trees,
            hidden: mlp.map(Mlp::hidden).unwrap_or_default(),
        }
    }
}

impl std::fmt::Display for Shape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = self
            .hidden
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join("-");
        match (self.trees, self.hidden.is_empty()) {
            (trees, true) => write!(f, "native trees ({trees} trees)"),
            (0, false) => write!(f, "native MLP ({hidden} hidden units)"),
            (trees, false) => write!(
                f,
                "native ensemble ({trees} trees + MLP of {hidden} hidden units)"
            ),
        }
    }
}

/// The logistic function, computed from `|x|` so that neither tail overflows or cancels.
pub(crate) fn logistic(x: f32) -> f32 {
    let v = 1.0 / (1.0 + (-x.abs()).exp());
    if x < 0.0 {
        1.0 - v
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::N_FEATURES;
    use crate::onnx::build::{self, floats, ints, strings};
    use crate::onnx::{AttributeProto, TensorProto, FLOAT};

    fn node(op: &str, inputs: &[&str], output: &str) -> NodeProto {
        NodeProto {
            input: inputs.iter().map(|s| (*s).to_owned()).collect(),
            output: vec![output.to_owned()],
            op_type: op.to_owned(),
            ..Default::default()
        }
    }

    fn tensor(name: &str, dims: &[i64], values: &[f32]) -> TensorProto {
        TensorProto {
            dims: dims.to_vec(),
            data_type: FLOAT,
            name: name.to_owned(),
            // As numpy exports them.
            raw_data: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
            ..Default::default()
        }
    }

    struct Weights {
        mean: Vec<f32>,
        std: Vec<f32>,
        w1: Vec<f32>,
        b1: [f32; 3],
        w2: [f32; 3],
        b2: f32,
    }

    /// A 41-3-1 MLP: mean `i / 10` and std `1 + i / 20` of feature `i`, clipped to ±2; hidden unit `j` weighs
    /// feature `i` by `((i + j) % 5 - 2) / 10`.
    fn weights() -> Weights {
        Weights {
            mean: (0..N_FEATURES).map(|i| i as f32 / 10.0).collect(),
            std: (0..N_FEATURES).map(|i| 1.0 + i as f32 / 20.0).collect(),
            w1: (0..N_FEATURES * 3)
                .map(|k| ((k / 3 + k % 3) % 5) as f32 / 10.0 - 0.2)
                .collect(),
            b1: [0.1, -0.2, 0.3],
            w2: [1.5, -2.0, 0.5],
            b2: -0.25,
        }
    }

    /// The MLP as code, in f64.
    fn reference(row: &Features, output_sigmoid: bool) -> f64 {
        let w = weights();
        let s = |z: f64| 1.0 / (1.0 + (-z).exp());
        let x: Vec<f64> = (0..N_FEATURES)
            .map(|i| {
                ((f64::from(row[i]) - f64::from(w.mean[i])) / f64::from(w.std[i])).clamp(-2.0, 2.0)
            })
            .collect();
        let mut z = f64::from(w.b2);
        for j in 0..3 {
            let h: f64 = f64::from(w.b1[j])
                + (0..N_FEATURES)
                    .map(|i| x[i] * f64::from(w.w1[i * 3 + j]))
                    .sum::<f64>();
            z += s(h) * f64::from(w.w2[j]);
        }
        if output_sigmoid {
            s(z)
        } else {
            z
        }
    }

    /// `mlp_graph` of models/train.py: the MLP on `features`, with its output Sigmoid when `output_sigmoid`;
    /// its output value is `mlp`.
    fn mlp(output_sigmoid: bool) -> (Vec<NodeProto>, Vec<TensorProto>) {
        let w = weights();
        let n = N_FEATURES as i64;
        let inits = vec![
            tensor("mean", &[n], &w.mean),
            tensor("std", &[n], &w.std),
            tensor("lo", &[], &[-2.0]),
            tensor("hi", &[], &[2.0]),
            tensor("w1", &[n, 3], &w.w1),
            tensor("b1", &[3], &w.b1),
            tensor("w2", &[3, 1], &w.w2),
            tensor("b2", &[1], &[w.b2]),
        ];
        let mut nodes = vec![
            node("Sub", &["features", "mean"], "centred"),
            node("Div", &["centred", "std"], "scaled"),
            node("Clip", &["scaled", "lo", "hi"], "h0"),
            node("Gemm", &["h0", "w1", "b1"], "z1"),
            node("Sigmoid", &["z1"], "h1"),
            node("Gemm", &["h1", "w2", "b2"], "z2"),
        ];
        nodes.push(if output_sigmoid {
            node("Sigmoid", &["z2"], "mlp")
        } else {
            node("Identity", &["z2"], "mlp")
        });
        (nodes, inits)
    }

    /// One tree of one leaf, `margin`, without post-transform, on `features`; its output value is
    /// `probabilities`.
    fn leaf(margin: f32) -> NodeProto {
        build::trees(vec![
            ints("classlabels_int64s", &[0, 1]),
            ints("nodes_treeids", &[0]),
            ints("nodes_nodeids", &[0]),
            ints("nodes_featureids", &[0]),
            floats("nodes_values", &[0.0]),
            ints("nodes_truenodeids", &[0]),
            ints("nodes_falsenodeids", &[0]),
            strings("nodes_modes", &["LEAF"]),
            ints("class_treeids", &[0]),
            ints("class_nodeids", &[0]),
            ints("class_ids", &[0]),
            floats("class_weights", &[margin]),
        ])
    }

    /// `export_ensemble` of models/train.py: the leaf and the MLP's logit, added and squashed.
    fn ensemble(margin: f32, join: &[&str]) -> Vec<u8> {
        let (mut nodes, inits) = mlp(false);
        nodes.push(leaf(margin));
        nodes.push(node("Gather", &["probabilities", "positive"], "trees"));
        nodes.push(node("Reshape", &["mlp", "flat"], "mlp_flat"));
        for op in join {
            nodes.push(node(op, &["trees", "mlp_flat"], "score"));
        }
        build::model(nodes, inits)
    }

    /// Rows near the MLP's mean (none clipped) and rows far from it.
    fn rows() -> Vec<Features> {
        (0..50)
            .map(|r| {
                std::array::from_fn(|i| match r % 2 {
                    0 => i as f32 / 10.0 + ((r + i) % 3) as f32 / 10.0,
                    _ => ((r * 7 + i * 3) % 23) as f32 / 2.0 - 3.0,
                })
            })
            .collect()
    }

    fn scores(native: &Native, rows: &[Features]) -> Vec<f32> {
        let mut out = vec![f32::NAN; rows.len()];
        native.score_to(rows, &mut out);
        out
    }

    #[test]
    fn an_mlp_alone_scores_its_chain_as_written() {
        let (mut nodes, inits) = mlp(true);
        nodes.push(node("Reshape", &["mlp", "flat"], "score"));
        let native = Native::from_onnx(&build::model(nodes, inits)).expect("supported");
        assert_eq!(
            native.shape(),
            Shape {
                trees: 0,
                hidden: vec![3]
            }
        );
        assert_eq!(native.shape().to_string(), "native MLP (3 hidden units)");
        let rows = rows();
        for (row, score) in rows.iter().zip(scores(&native, &rows)) {
            let want = reference(row, true);
            assert!(
                (f64::from(score) - want).abs() < 1e-6,
                "{score} against {want}"
            );
        }
        // Some rows reach the clip bounds, or the test would not test them.
        let Weights { mean, std, .. } = weights();
        let clipped =
            |r: &Features| (0..N_FEATURES).any(|i| ((r[i] - mean[i]) / std[i]).abs() > 2.0);
        assert!(rows.iter().any(clipped) && !rows.iter().all(clipped));
    }

    #[test]
    fn an_ensemble_adds_the_trees_margin_to_the_mlp_logit() {
        let native = Native::from_onnx(&ensemble(0.75, &["Add", "Sigmoid"])).expect("supported");
        assert_eq!(
            native.shape(),
            Shape {
                trees: 1,
                hidden: vec![3]
            }
        );
        let rows = rows();
        let got = scores(&native, &rows);
        for (row, score) in rows.iter().zip(&got) {
            let want = 1.0 / (1.0 + (-(0.75 + reference(row, false))).exp());
            assert!(
                (f64::from(*score) - want).abs() < 1e-6,
                "{score} against {want}"
            );
        }
        // One by one as in blocks (the trees walk blocks of rows).
        let alone: Vec<f32> = rows
            .iter()
            .map(|r| scores(&native, std::slice::from_ref(r))[0])
            .collect();
        assert_eq!(alone, got);

        let probe = native.probe_rows(100, 3);
        assert_eq!(probe.len(), 100);
        assert!(
            probe.iter().flatten().all(|x| x.is_finite()),
            "an ensemble's probes have no missing values"
        );
    }

    #[test]
    fn refuses_graphs_it_would_not_reproduce_exactly() {
        let mlp_with = |edit: &dyn Fn(&mut Vec<NodeProto>, &mut Vec<TensorProto>)| {
            let (mut nodes, mut inits) = mlp(true);
            nodes.push(node("Reshape", &["mlp", "flat"], "score"));
            edit(&mut nodes, &mut inits);
            Native::from_onnx(&build::model(nodes, inits)).expect_err("refused")
        };
        let transposed = mlp_with(&|nodes, _| {
            nodes[3].attribute.push(AttributeProto {
                name: "transB".to_owned(),
                i: Some(1),
                ..Default::default()
            })
        });
        assert!(
            matches!(&transposed, Unsupported::Mlp(why) if why.contains("transB")),
            "{transposed}"
        );
        let short_mean = mlp_with(&|_, inits| inits[0] = tensor("mean", &[2], &[0.0, 1.0]));
        assert!(
            matches!(&short_mean, Unsupported::Mlp(why) if why.contains("mean")),
            "{short_mean}"
        );
        let no_div = mlp_with(&|nodes, _| nodes[1].op_type = "Mul".to_owned());
        assert!(
            matches!(&no_div, Unsupported::Mlp(why) if why.contains("Div")),
            "{no_div}"
        );
        let wide = mlp_with(&|_, inits| {
            inits[6] = tensor("w2", &[3, 2], &[1.0; 6]);
            inits[7] = tensor("b2", &[2], &[0.0; 2]);
        });
        assert!(
            matches!(&wide, Unsupported::Mlp(why) if why.contains("2 units")),
            "{wide}"
        );
        let extra = mlp_with(&|nodes, _| nodes.push(node("Tanh", &["score"], "other")));
        assert_eq!(extra, Unsupported::Glue("Tanh".to_owned()));

        // An MLP whose output is a logit, alone: nothing makes it a probability.
        let (mut nodes, inits) = mlp(false);
        nodes.push(node("Reshape", &["mlp", "flat"], "score"));
        assert!(matches!(
            Native::from_onnx(&build::model(nodes, inits)),
            Err(Unsupported::Mlp(_))
        ));

        for join in [
            &["Add"][..],
            &["Sub", "Sigmoid"],
            &["Add", "Sigmoid", "Sigmoid"],
        ] {
            let err = Native::from_onnx(&ensemble(0.5, join)).expect_err("refused");
            assert!(matches!(err, Unsupported::Join(_)), "{join:?}: {err}");
        }
    }
}
