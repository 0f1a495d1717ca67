//! Scores feature rows with the committed ONNX model through ONNX Runtime.
//!
//! The `ort` crate is built with `load-dynamic`: nothing is downloaded or linked at build time, and
//! `libonnxruntime.so` is loaded when the first [`Scorer`] is created, from the path in `ORT_DYLIB_PATH` or,
//! failing that, from the project's venv (see [`runtime_library`]). `models/setup.sh` installs the `onnxruntime` wheel, which ships that library, and
//! `scripts/env.sh` points `ORT_DYLIB_PATH` at it.
//!
//! The model carries its own contract in its ONNX metadata: the feature names and version it was trained on
//! (checked against [`crate::features`] on load, so a stale model is refused rather than fed the wrong
//! columns), the operating threshold and a model version (stored beside each score by the indexer).
//! Normalisation is inside the graph: the input is the raw feature matrix.
//!
//! A model of a shape `models/train.py` exports (trees, the DBN+MLP, or their ensemble) is scored by
//! [`crate::native`], the same model read from the same file (its trees ~2.8× faster than ONNX Runtime's tree
//! operator), once [`Scorer::load`] has checked on probe rows that the two agree; every other model, and any
//! model that check rejects, is scored by ONNX Runtime ([`Engine`]).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ort::environment::Environment;
use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;
use ort::value::TensorRef;

use crate::features::{Features, FEATURE_NAMES, FEATURE_VERSION, N_FEATURES};
use crate::native::{Native, Shape};

/// Metadata key: comma-separated feature names, in input order.
pub const META_FEATURE_NAMES: &str = "bizkey.feature_names";
/// Metadata key: [`FEATURE_VERSION`] the model was trained with.
pub const META_FEATURE_VERSION: &str = "bizkey.feature_version";
/// Metadata key: operating threshold; a receipt is flagged when its score is `>=` it.
pub const META_THRESHOLD: &str = "bizkey.threshold";
/// Metadata key: model version string.
pub const META_MODEL_VERSION: &str = "bizkey.model_version";

/// The committed model, `models/fraud.onnx` of this checkout. Resolved at
/// run time (cargo's `CARGO_MANIFEST_DIR`, else the scripts' `BIZKEY_ROOT`):
/// build outputs are shared between checkouts (`$BIZKEY_CACHE`), so a path
/// fixed at compile time may name another clone, or one since deleted.
pub fn default_model_path() -> PathBuf {
    let root = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(|crate_dir| PathBuf::from(crate_dir).join(".."))
        .or_else(|| std::env::var_os("BIZKEY_ROOT").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/..")));
    root.join("models/fraud.onnx")
}

/// Failure to load ONNX Runtime or the model, or to run it.
#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    #[error(
        "ONNX Runtime not found: ORT_DYLIB_PATH is not set and the project venv has no onnxruntime wheel; run \
         models/setup.sh, then `source scripts/env.sh` (it points ORT_DYLIB_PATH at libonnxruntime.so from the wheel)"
    )]
    NoRuntime,
    #[error("loading ONNX Runtime: {0}")]
    LoadRuntime(#[from] ort::LoadDynamicError),
    #[error("ONNX Runtime: {0}")]
    Ort(#[from] ort::Error),
    #[error("model {path}: {reason}")]
    BadModel { path: PathBuf, reason: String },
    #[error(
        "model {path} was trained on other features (version {model_version}: {model_names}); this build computes \
         version {FEATURE_VERSION}: retrain it (models/train.sh)"
    )]
    FeatureMismatch {
        path: PathBuf,
        model_version: String,
        model_names: String,
    },
    #[error("the model returned {got} scores for {expected} rows")]
    OutputShape { expected: usize, got: usize },
}

/// What the model says about itself.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelInfo {
    /// Version string, stored beside every score.
    pub version: String,
    /// Flag receipts whose score is at least this.
    pub threshold: f32,
}

/// Which runtime may score a model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Engine {
    /// The native evaluator ([`crate::native`]) when the model is of a shape that it reads and it agrees with
    /// ONNX Runtime on probe rows; ONNX Runtime otherwise.
    #[default]
    Auto,
    /// ONNX Runtime for every model: the reference, and the benchmark's baseline.
    OnnxRuntime,
}

/// What scores a loaded model ([`Scorer::runtime`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Runtime {
    /// The native evaluator, on a model of this shape.
    Native(Shape),
    /// ONNX Runtime, and why not the native evaluator.
    OnnxRuntime(Fallback),
}

/// Why ONNX Runtime scores a model.
#[derive(Debug, Clone, PartialEq)]
pub enum Fallback {
    /// [`Engine::OnnxRuntime`] was asked for.
    Asked,
    /// The model is not of a shape the native evaluator reproduces.
    Unsupported(crate::native::Unsupported),
    /// The native evaluator read the model but differs from ONNX Runtime on probe rows by this much (NaN when
    /// one side gave NaN).
    Disagrees(f32),
}

impl std::fmt::Display for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Runtime::Native(shape) => write!(f, "{shape}"),
            Runtime::OnnxRuntime(Fallback::Asked) => write!(f, "ONNX Runtime"),
            Runtime::OnnxRuntime(Fallback::Unsupported(why)) => write!(f, "ONNX Runtime ({why})"),
            Runtime::OnnxRuntime(Fallback::Disagrees(by)) => {
                write!(
                    f,
                    "ONNX Runtime (the native model differs from it by {by:e} on probe rows)"
                )
            }
        }
    }
}

/// Session options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScorerOptions {
    /// Threads for one inference call (ONNX Runtime's intra-op threads, or the native evaluator's).
    pub intra_threads: usize,
    /// Which runtime may score.
    pub engine: Engine,
}

impl Default for ScorerOptions {
    fn default() -> Self {
        ScorerOptions {
            intra_threads: 1,
            engine: Engine::Auto,
        }
    }
}

/// Probe rows compared between the native evaluator and ONNX Runtime when a model loads, and the largest
/// difference accepted: the two sum the same leaf weights in the same order and the same products in their
/// own orders, so only the last bits may differ.
const PROBE_ROWS: usize = 1024;
const PROBE_TOLERANCE: f32 = 1e-5;

/// ONNX Runtime allows one environment per process; every scorer shares it.
static ENVIRONMENT: Mutex<Option<Environment>> = Mutex::new(None);

fn environment() -> Result<Environment, ScoreError> {
    let mut env = ENVIRONMENT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(e) = env.as_ref() {
        return Ok(e.clone());
    }
    let dylib = runtime_library().ok_or(ScoreError::NoRuntime)?;
    let built = ort::init_from(dylib)?.with_name("bizkey-fraud").build()?;
    *env = Some(built.clone());
    Ok(built)
}

/// `ORT_DYLIB_PATH` when set; otherwise the library of the onnxruntime wheel in the project's venv
/// (`$BIZKEY_VENV`, else `$BIZKEY_CACHE/venv`, else `~/.cache/bizkey/venv`), so that a shell that sourced
/// `scripts/env.sh` before `models/setup.sh` created the venv still finds it.
pub fn runtime_library() -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(p) = env("ORT_DYLIB_PATH") {
        return Some(p);
    }
    let venv = env("BIZKEY_VENV")
        .or_else(|| env("BIZKEY_CACHE").map(|c| c.join("venv")))
        .or_else(|| env("HOME").map(|h| h.join(".cache/bizkey/venv")))?;
    let mut found: Vec<PathBuf> = std::fs::read_dir(venv.join("lib"))
        .ok()?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("python3"))
        .filter_map(|e| std::fs::read_dir(e.path().join("site-packages/onnxruntime/capi")).ok())
        .flat_map(|dir| dir.flatten().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("libonnxruntime.so"))
        })
        .collect();
    found.sort();
    found.into_iter().next()
}

/// A loaded model.
pub struct Scorer {
    session: Session,
    info: ModelInfo,
    /// The model read natively, when that scores it (see [`Engine`]).
    native: Option<Native>,
    threads: usize,
    runtime: Runtime,
}

impl std::fmt::Debug for Scorer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scorer")
            .field("info", &self.info)
            .field("runtime", &self.runtime)
            .finish_non_exhaustive()
    }
}

impl Scorer {
    /// Loads the model at `path` and checks that it was trained on this build's features.
    ///
    /// # Errors
    /// [`ScoreError`] when ONNX Runtime cannot be loaded, the file is not a valid model, or its metadata is
    /// missing or names other features.
    pub fn load(path: &Path, options: ScorerOptions) -> Result<Self, ScoreError> {
        let env = environment()?;
        let session = Session::builder(&env)?
            .with_optimization_level(GraphOptimizationLevel::All)
            .map_err(ort::Error::from)?
            .with_intra_threads(options.intra_threads)
            .map_err(ort::Error::from)?
            .with_inter_threads(1)
            .map_err(ort::Error::from)?
            .commit_from_file(path)?;
        let bad = |reason: String| ScoreError::BadModel {
            path: path.to_owned(),
            reason,
        };
        let meta = session.metadata()?;
        let custom = |key: &str| {
            meta.custom(key)
                .ok_or_else(|| bad(format!("metadata `{key}` is missing")))
        };
        let names = custom(META_FEATURE_NAMES)?;
        let feature_version = custom(META_FEATURE_VERSION)?;
        if names != FEATURE_NAMES.join(",") || feature_version != FEATURE_VERSION.to_string() {
            return Err(ScoreError::FeatureMismatch {
                path: path.to_owned(),
                model_version: feature_version,
                model_names: names,
            });
        }
        let threshold_text = custom(META_THRESHOLD)?;
        let threshold = threshold_text
            .parse::<f32>()
            .ok()
            .filter(|t| (0.0..=1.0).contains(t))
            .ok_or_else(|| {
                bad(format!(
                    "threshold `{threshold_text}` is not a number in [0, 1]"
                ))
            })?;
        let version = custom(META_MODEL_VERSION)?;
        drop(meta);
        if session.inputs().len() != 1 || session.outputs().is_empty() {
            return Err(bad(
                "expected one input (the feature matrix) and a score output".to_owned(),
            ));
        }
        let mut scorer = Scorer {
            session,
            info: ModelInfo { version, threshold },
            native: None,
            threads: options.intra_threads.max(1),
            runtime: Runtime::OnnxRuntime(Fallback::Asked),
        };
        if options.engine == Engine::Auto {
            let bytes = std::fs::read(path).map_err(|e| bad(format!("reading it: {e}")))?;
            match Native::from_onnx(&bytes) {
                Ok(native) => scorer.adopt(native)?,
                Err(why) => scorer.runtime = Runtime::OnnxRuntime(Fallback::Unsupported(why)),
            }
        }
        Ok(scorer)
    }

    /// Scores with `native` from now on if it agrees with ONNX Runtime on probe rows.
    fn adopt(&mut self, native: Native) -> Result<(), ScoreError> {
        let probe = native.probe_rows(PROBE_ROWS, 0x7EE5);
        let mut reference = Vec::with_capacity(probe.len());
        self.score_into(&probe, &mut reference)?;
        let mut ours = vec![0.0; probe.len()];
        native.score_to(&probe, &mut ours);
        let diffs = || reference.iter().zip(&ours).map(|(a, b)| (a - b).abs());
        // `<=` is false for NaN, so a NaN on either side refuses the native model.
        if diffs().all(|d| d <= PROBE_TOLERANCE) {
            self.runtime = Runtime::Native(native.shape());
            self.native = Some(native);
        } else {
            let worst = diffs().fold(0.0, |w: f32, d| if d.is_nan() || d > w { d } else { w });
            self.runtime = Runtime::OnnxRuntime(Fallback::Disagrees(worst));
        }
        Ok(())
    }

    /// What scores this model: the native evaluator, or ONNX Runtime and why.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// The model's version and threshold.
    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// Fraud probabilities of `rows`, in order, appended to `out`. One ONNX Runtime call for all rows, or
    /// the native evaluator on up to `intra_threads` threads.
    ///
    /// # Errors
    /// [`ScoreError`] when inference fails.
    pub fn score_into(&mut self, rows: &[Features], out: &mut Vec<f32>) -> Result<(), ScoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        if let Some(native) = &self.native {
            let start = out.len();
            out.resize(start + rows.len(), 0.0);
            let out = &mut out[start..];
            // At least 256 rows per thread: for fewer, starting the thread costs more than it saves.
            let per_thread = rows.len().div_ceil(self.threads).max(256);
            if per_thread >= rows.len() {
                native.score_to(rows, out);
            } else {
                std::thread::scope(|s| {
                    for (rows, out) in rows.chunks(per_thread).zip(out.chunks_mut(per_thread)) {
                        s.spawn(move || native.score_to(rows, out));
                    }
                });
            }
            return Ok(());
        }
        let input = TensorRef::from_array_view(([rows.len(), N_FEATURES], rows.as_flattened()))?;
        let outputs = self.session.run(ort::inputs![input])?;
        let (_, scores) = outputs[0].try_extract_tensor::<f32>()?;
        if scores.len() != rows.len() {
            return Err(ScoreError::OutputShape {
                expected: rows.len(),
                got: scores.len(),
            });
        }
        out.extend_from_slice(scores);
        Ok(())
    }

    /// Fraud probabilities of `rows`, in order.
    ///
    /// # Errors
    /// [`ScoreError`] when inference fails.
    pub fn score(&mut self, rows: &[Features]) -> Result<Vec<f32>, ScoreError> {
        let mut out = Vec::with_capacity(rows.len());
        self.score_into(rows, &mut out)?;
        Ok(out)
    }

    /// Scores `rows` in calls of at most `batch` rows (bounded memory for large inputs).
    ///
    /// # Errors
    /// [`ScoreError`] when inference fails.
    pub fn score_batched(
        &mut self,
        rows: &[Features],
        batch: usize,
    ) -> Result<Vec<f32>, ScoreError> {
        let mut out = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(batch.max(1)) {
            self.score_into(chunk, &mut out)?;
        }
        Ok(out)
    }
}
