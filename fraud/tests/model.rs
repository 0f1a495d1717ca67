//! The committed model, scored natively and by ONNX Runtime (needs ORT_DYLIB_PATH: `models/setup.sh`,
//! `source scripts/env.sh`).

use std::path::Path;

use bizkey_fraud::group::account_raises;
use bizkey_fraud::metrics::{average_precision, roc_auc, Report};
use bizkey_fraud::native::Shape;
use bizkey_fraud::pipeline::{feature_matrix, shopee_ratios};
use bizkey_fraud::receipt::Receipt;
use bizkey_fraud::score::{
    default_model_path, Engine, Fallback, Runtime, ScoreError, Scorer, ScorerOptions,
};
use bizkey_fraud::sim::{simulate, Brushing, Evasion, SimConfig};

fn scorer() -> Scorer {
    Scorer::load(&default_model_path(), ScorerOptions::default()).expect("committed model loads")
}

/// A seed the model was never trained, validated or tested on (train.sh uses 1–5).
const FRESH_SEED: u64 = 20_260_101;

#[test]
fn committed_model_detects_brushing_on_a_fresh_seed() {
    let sim = simulate(&SimConfig::standard(FRESH_SEED));
    let receipts: Vec<Receipt> = sim.receipts.iter().map(|s| s.receipt).collect();
    let labels: Vec<bool> = sim.receipts.iter().map(|s| s.label()).collect();
    let mut scorer = scorer();
    let scores = scorer
        .score_batched(&feature_matrix(&receipts, &sim.funding_events()), 4096)
        .expect("inference");
    assert_eq!(scores.len(), receipts.len());
    assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)));

    let report = Report::compute(&scores, &labels, scorer.info().threshold).expect("both classes");
    eprintln!("fresh seed {FRESH_SEED}: {report}");
    // Brushers here are adversarial (simulator `Evasion::MIXED`): the model card explains why recall at a
    // false-positive rate near 0.1 % is far below the old 0.8 (which naive brushers allowed).
    assert!(report.roc_auc >= 0.95, "ROC-AUC {}", report.roc_auc);
    assert!(
        report.confusion.precision() >= 0.6 && report.confusion.recall() >= 0.25,
        "{report}"
    );
    assert!(report.confusion.false_positive_rate() <= 0.002, "{report}");

    // The model must beat the Shopee rule by far.
    let shopee = shopee_ratios(&receipts);
    let shopee_ap = average_precision(&shopee, &labels).expect("both classes");
    assert!(
        report.auprc > shopee_ap + 0.3,
        "model AUPRC {} vs Shopee {shopee_ap}",
        report.auprc
    );

    // Every pattern is ranked above honest traffic.
    for kind in Brushing::ALL {
        let (s, l): (Vec<f32>, Vec<bool>) = sim
            .receipts
            .iter()
            .zip(&scores)
            .filter(|(r, _)| r.brushing.is_none() || r.brushing == Some(kind))
            .map(|(r, s)| (*s, r.label()))
            .unzip();
        let auc = roc_auc(&s, &l).expect("both classes");
        eprintln!("  {:<15} ROC-AUC vs honest {auc:.4}", kind.as_str());
        assert!(auc >= 0.9, "{kind:?}: {auc}");
    }
}

/// The native evaluator is what scores the committed model, the trees and the MLP of the ensemble, and it gives
/// ONNX Runtime's scores: the same flags on every receipt of a fresh standard seed.
#[test]
fn the_native_ensemble_scores_the_committed_model_as_onnx_runtime_does() {
    let native = scorer();
    assert!(
        matches!(native.runtime(), Runtime::Native(Shape { trees, hidden }) if *trees > 100 && hidden.len() == 2),
        "{}",
        native.runtime()
    );
    let sim = simulate(&SimConfig::standard(FRESH_SEED));
    let receipts: Vec<Receipt> = sim.receipts.iter().map(|s| s.receipt).collect();
    let features = feature_matrix(&receipts, &sim.funding_events());
    let mut ort = Scorer::load(
        &default_model_path(),
        ScorerOptions {
            engine: Engine::OnnxRuntime,
            ..ScorerOptions::default()
        },
    )
    .expect("committed model loads");
    assert_eq!(ort.runtime(), &Runtime::OnnxRuntime(Fallback::Asked));
    let reference = ort.score_batched(&features, 4096).expect("inference");
    for threads in [1, 2] {
        let mut native = Scorer::load(
            &default_model_path(),
            ScorerOptions {
                intra_threads: threads,
                engine: Engine::Auto,
            },
        )
        .expect("committed model loads");
        let scores = native.score_batched(&features, 4096).expect("inference");
        let worst = scores
            .iter()
            .zip(&reference)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, |w, d| if d.is_nan() || d > w { d } else { w });
        eprintln!("{threads} thread(s): native against ONNX Runtime, largest difference {worst:e}");
        assert!(worst <= 1e-6, "{threads} threads: differs by {worst:e}");
        let threshold = native.info().threshold;
        let flags = |s: &[f32]| s.iter().filter(|&&s| s >= threshold).count();
        assert_eq!(flags(&scores), flags(&reference));
        assert!(scores
            .iter()
            .zip(&reference)
            .all(|(a, b)| (*a >= threshold) == (*b >= threshold)));
    }
}

#[test]
fn batched_and_one_by_one_scores_agree() {
    let sim = simulate(&SimConfig::new(77, 20, 500, 5));
    let receipts: Vec<Receipt> = sim.receipts.iter().map(|s| s.receipt).collect();
    let features = feature_matrix(&receipts[..300], &sim.funding_events());
    let mut scorer = scorer();
    let batched = scorer.score(&features).expect("inference");
    let in_sevens = scorer.score_batched(&features, 7).expect("inference");
    for (i, f) in features.iter().enumerate() {
        let one = scorer.score(std::slice::from_ref(f)).expect("inference");
        assert!(
            (one[0] - batched[i]).abs() < 1e-5,
            "row {i}: {} vs {}",
            one[0],
            batched[i]
        );
        assert!((in_sevens[i] - batched[i]).abs() < 1e-5);
    }
    assert!(scorer.score(&[]).expect("empty").is_empty());
}

#[test]
fn model_metadata_is_read_and_bad_files_are_refused() {
    let scorer = scorer();
    let info = scorer.info();
    // The deployed ensemble (models/train.py --algo ensemble) of this build's features.
    assert!(
        info.version.starts_with(&format!(
            "ens-f{}-",
            bizkey_fraud::features::FEATURE_VERSION
        )),
        "{}",
        info.version
    );
    assert!(info.threshold > 0.0 && info.threshold < 1.0);

    let missing = Scorer::load(
        Path::new("/nonexistent/model.onnx"),
        ScorerOptions::default(),
    );
    assert!(matches!(missing, Err(ScoreError::Ort(_))), "{missing:?}");

    let garbage =
        std::env::temp_dir().join(format!("bizkey-fraud-garbage-{}.onnx", std::process::id()));
    std::fs::write(&garbage, b"not a model").expect("write temp file");
    let err = Scorer::load(&garbage, ScorerOptions::default());
    std::fs::remove_file(&garbage).ok();
    assert!(matches!(err, Err(ScoreError::Ort(_))), "{err:?}");
}

/// The on-chain test's population (indexer/tests/fraud_onchain.rs: 8 merchants, 80 customers, a week, one
/// ring as the only brushing), over seeds 1–40, offline through the same features and model, with a naive
/// ring and with the default mix of evasion, and the naive ring on a chain where no funding is known (fees
/// sponsored, or the index started after the accounts were funded): the figures of the model card's on-chain
/// section. Prints them; asserts the on-chain target, at most 0.2 % of honest receipts flagged in
/// each case and, for the naive ring with its fundings, at least 90 % of its receipts (99.6 % measured). The
/// evading ring is far from that (69 %), and so is the ring without fundings (81 %, at 0.18 % of honest
/// receipts): its floor of 60 % fails a model that reads unknown fundings as the fundings it trained on (the
/// LightGBM model before `gbm-f3-caccfdff8566` flagged 9.5 %).
#[test]
fn onchain_population_over_forty_seeds() {
    for (name, evasion, fundings, ring_floor) in [
        ("naive", Evasion::NONE, true, Some(0.9)),
        ("mixed", Evasion::MIXED, true, None),
        ("naive, no fundings known", Evasion::NONE, false, Some(0.6)),
    ] {
        onchain_population(name, evasion, fundings, ring_floor);
    }
}

fn onchain_population(name: &str, evasion: Evasion, fundings: bool, ring_floor: Option<f64>) {
    let mut scorer = scorer();
    let threshold = scorer.info().threshold;
    // [the receipt's own score, with the account rule (24 h window)]
    let (mut ring, mut honest) = (0, 0);
    let (mut ring_flagged, mut honest_flagged, mut seeds_full) = ([0; 2], [0; 2], [0; 2]);
    for seed in 1..=40 {
        let sim = simulate(&SimConfig {
            rings: 1,
            repeaters: 0,
            referral_bursts: 0,
            huge_orders: 0,
            evasion,
            ..SimConfig::new(seed, 8, 80, 7)
        });
        let receipts: Vec<Receipt> = sim.receipts.iter().map(|s| s.receipt).collect();
        let fundings = if fundings {
            sim.funding_events()
        } else {
            Vec::new()
        };
        let scores = scorer
            .score_batched(&feature_matrix(&receipts, &fundings), 4096)
            .expect("inference");
        let own: Vec<bool> = scores.iter().map(|&s| s >= threshold).collect();
        let with_accounts = account_raises(&receipts, &scores, threshold, 86_400_000);
        let (mut r, mut rf) = (0, [0; 2]);
        for (k, s) in sim.receipts.iter().enumerate() {
            let flagged = [own[k], with_accounts[k]];
            assert!(!own[k] || with_accounts[k], "the account rule only adds");
            for (i, &f) in flagged.iter().enumerate() {
                if s.label() {
                    rf[i] += usize::from(f);
                } else {
                    honest_flagged[i] += usize::from(f);
                }
            }
            if s.label() {
                r += 1;
            } else {
                honest += 1;
            }
        }
        for i in 0..2 {
            if r > 0 && rf[i] * 10 >= r * 9 {
                seeds_full[i] += 1;
            }
            ring_flagged[i] += rf[i];
        }
        ring += r;
    }
    for (i, how) in ["own score", "with the account rule"].iter().enumerate() {
        eprintln!(
            "on-chain population, {name} ring, seeds 1-40, {how}: ring {}/{ring} flagged ({:.3}), honest {}/{honest} \
             ({:.4}); seeds with >= 90 % of the ring flagged: {}",
            ring_flagged[i],
            ring_flagged[i] as f64 / ring as f64,
            honest_flagged[i],
            honest_flagged[i] as f64 / honest as f64,
            seeds_full[i]
        );
    }
    let honest_flagged = honest_flagged[1];
    assert!(
        honest_flagged * 500 <= honest,
        "{name}: {honest_flagged} of {honest} honest flagged"
    );
    if let Some(floor) = ring_floor {
        let share = ring_flagged[1] as f64 / ring as f64;
        assert!(share >= floor, "{name}: {share} of the ring flagged");
    }
}
