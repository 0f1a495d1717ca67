//! The DBN+MLP, evaluated natively from the model's ONNX file (`models/train.py`'s `mlp_graph`): the input
//! normalisation `Clip((x - mean) / std, lo, hi)`, then dense layers (`Gemm`), each hidden one followed by a
//! `Sigmoid`. The output unit, one per row, is either a probability (its own `Sigmoid`: the DBN scored alone)
//! or a logit (no `Sigmoid`: a member of the ensemble, [`crate::native`], which adds the trees' margin).
//!
//! It reads only that chain, starting at the graph's input, and leaves the rest of the graph to
//! [`crate::native`]; [`crate::score::Scorer`] checks on probe rows that it agrees with ONNX Runtime.

use std::collections::{HashMap, HashSet};

use crate::features::{Features, N_FEATURES};
use crate::native::{logistic, Unsupported};
use crate::onnx::{GraphProto, NodeProto};
use crate::rng::Rng;

/// One `Gemm`: `y = x W + b`, `W` stored by input, so that a row's outputs are updated input by input with
/// contiguous loads (which the compiler vectorises).
#[derive(Debug, Clone)]
struct Dense {
    outputs: usize,
    /// `inputs × outputs`, row-major (ONNX `Gemm`'s `B` without `transB`).
    w: Vec<f32>,
    b: Vec<f32>,
}

/// The MLP and its input normalisation.
#[derive(Debug, Clone)]
pub struct Mlp {
    mean: Vec<f32>,
    std: Vec<f32>,
    clip: (f32, f32),
    layers: Vec<Dense>,
    /// Whether the output unit has its sigmoid (a probability) or not (a logit).
    output_sigmoid: bool,
}

/// The MLP as found in a graph, and the graph's nodes it covers.
pub(crate) struct Found {
    pub mlp: Mlp,
    pub nodes: HashSet<usize>,
}

impl Mlp {
    /// Reads the MLP chain that starts with a `Sub` of the graph's input; `None` when there is no such `Sub`.
    ///
    /// # Errors
    /// [`Unsupported::Mlp`] when the chain is not of the shape above.
    pub(crate) fn find(graph: &GraphProto) -> Result<Option<Found>, Unsupported> {
        let bad = |why: String| Unsupported::Mlp(why);
        let Some(input) = graph.input.first().map(|i| i.name.as_str()) else {
            return Ok(None);
        };
        let mut consumers: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, n) in graph.node.iter().enumerate() {
            for name in &n.input {
                consumers.entry(name.as_str()).or_default().push(i);
            }
        }
        let Some(sub) = consumers
            .get(input)
            .into_iter()
            .flatten()
            .copied()
            .find(|&i| {
                graph.node[i].op_type == "Sub"
                    && graph.node[i].input.first().map(String::as_str) == Some(input)
            })
        else {
            return Ok(None);
        };
        let mut nodes = HashSet::from([sub]);
        // The one node that reads `node`'s output, when it is an `op`.
        let next = |node: usize, op: &str| -> Option<usize> {
            let out = graph.node[node].output.first()?;
            match consumers.get(out.as_str())?.as_slice() {
                [one] if graph.node[*one].op_type == op => Some(*one),
                _ => None,
            }
        };
        let constant = |node: &NodeProto, k: usize| -> Result<Vec<f32>, Unsupported> {
            let name = node.input.get(k).map_or("", String::as_str);
            graph
                .initializer(name)
                .and_then(|t| t.floats())
                .ok_or_else(|| {
                    bad(format!(
                        "{} input `{name}` is not a float initializer",
                        node.op_type
                    ))
                })
        };
        let per_feature = |v: Vec<f32>, what: &str| {
            if v.len() == N_FEATURES {
                Ok(v)
            } else {
                Err(bad(format!(
                    "{what} has {} values for {N_FEATURES} features",
                    v.len()
                )))
            }
        };

        let mean = per_feature(constant(&graph.node[sub], 1)?, "the mean")?;
        let div = next(sub, "Div").ok_or_else(|| bad("the Sub is not followed by a Div".into()))?;
        let std = per_feature(constant(&graph.node[div], 1)?, "the standard deviation")?;
        let clip =
            next(div, "Clip").ok_or_else(|| bad("the Div is not followed by a Clip".into()))?;
        let bound = |k: usize| match constant(&graph.node[clip], k)?.as_slice() {
            [v] => Ok(*v),
            _ => Err(bad("a Clip bound is not one value".into())),
        };
        let bounds = (bound(1)?, bound(2)?);
        nodes.extend([div, clip]);

        let mut layers = Vec::new();
        let mut at = clip;
        let mut inputs = N_FEATURES;
        let output_sigmoid = loop {
            let gemm = next(at, "Gemm").ok_or_else(|| bad("a layer is not a Gemm".into()))?;
            let node = &graph.node[gemm];
            for a in &node.attribute {
                let default = match a.name.as_str() {
                    "alpha" | "beta" => a.f == Some(1.0),
                    "transA" | "transB" => a.i == Some(0),
                    _ => false,
                };
                if !default {
                    return Err(bad(format!(
                        "Gemm attribute `{}` is not its default",
                        a.name
                    )));
                }
            }
            let w = constant(node, 1)?;
            let b = constant(node, 2)?;
            let outputs = b.len();
            if outputs == 0 || w.len() != inputs * outputs {
                return Err(bad(format!(
                    "a Gemm of {} weights and {outputs} biases after {inputs} units",
                    w.len()
                )));
            }
            layers.push(Dense { outputs, w, b });
            nodes.insert(gemm);
            inputs = outputs;
            match next(gemm, "Sigmoid") {
                Some(sigmoid) => {
                    nodes.insert(sigmoid);
                    at = sigmoid;
                    if next(sigmoid, "Gemm").is_none() {
                        break true;
                    }
                }
                None => break false,
            }
        };
        if inputs != 1 {
            return Err(bad(format!("the output layer has {inputs} units, not one")));
        }
        Ok(Some(Found {
            mlp: Mlp {
                mean,
                std,
                clip: bounds,
                layers,
                output_sigmoid,
            },
            nodes,
        }))
    }

    /// Whether the output is a probability (else a logit).
    pub fn output_sigmoid(&self) -> bool {
        self.output_sigmoid
    }

    /// Units per hidden layer.
    pub fn hidden(&self) -> Vec<usize> {
        self.layers[..self.layers.len() - 1]
            .iter()
            .map(|l| l.outputs)
            .collect()
    }

    /// The output unit of each row (a probability or a logit, see [`Mlp::output_sigmoid`]) into `out`.
    ///
    /// # Panics
    /// When `out` and `rows` differ in length.
    pub fn score_to(&self, rows: &[Features], out: &mut [f32]) {
        self.each(rows, out, |o, y| *o = y);
    }

    /// `out[i] = logistic(out[i] + y_i)`, with `y_i` row `i`'s output logit: the ensemble's join.
    ///
    /// # Panics
    /// When `out` and `rows` differ in length.
    pub fn add_logit_to(&self, rows: &[Features], out: &mut [f32]) {
        self.each(rows, out, |o, y| *o = logistic(*o + y));
    }

    fn each(&self, rows: &[Features], out: &mut [f32], mut put: impl FnMut(&mut f32, f32)) {
        assert_eq!(rows.len(), out.len(), "one score per row");
        let widest = self.layers.iter().map(|l| l.outputs).max().unwrap_or(0);
        // Each layer reads one buffer and writes the other; either may hold the input row.
        let mut a = vec![0.0f32; N_FEATURES.max(widest)];
        let mut b = a.clone();
        let (lo, hi) = self.clip;
        for (row, o) in rows.iter().zip(out) {
            for ((h, x), (m, s)) in a.iter_mut().zip(row).zip(self.mean.iter().zip(&self.std)) {
                // Division, not a product with 1/std: ONNX Runtime divides, and so the two agree to the bit.
                *h = ((x - m) / s).clamp(lo, hi);
            }
            let mut inputs = N_FEATURES;
            for (k, layer) in self.layers.iter().enumerate() {
                let y = &mut b[..layer.outputs];
                y.copy_from_slice(&layer.b);
                for (x, w) in a[..inputs].iter().zip(layer.w.chunks_exact(layer.outputs)) {
                    for (y, w) in y.iter_mut().zip(w) {
                        *y += x * w;
                    }
                }
                if k + 1 < self.layers.len() || self.output_sigmoid {
                    y.iter_mut().for_each(|v| *v = logistic(*v));
                }
                inputs = layer.outputs;
                std::mem::swap(&mut a, &mut b);
            }
            put(o, a[0]);
        }
    }

    /// Rows spread around the training data's mean: each column `mean + u·std` with `u` uniform in ±10, so
    /// that some land beyond the clip bounds.
    pub fn probe_rows(&self, n: usize, seed: u64) -> Vec<Features> {
        let mut rng = Rng::new(seed);
        (0..n)
            .map(|_| {
                let mut row = [0.0f32; N_FEATURES];
                for ((x, m), s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
                    *x = m + s * rng.uniform(-10.0, 10.0) as f32;
                }
                row
            })
            .collect()
    }
}
