use bizkey_fraud::metrics::{average_precision, roc_auc, Confusion, MetricsError, Report};

// scikit-learn's documented example: roc_auc_score = 0.75, average_precision_score = 0.8333….
const SCORES: [f32; 4] = [0.1, 0.4, 0.35, 0.8];
const LABELS: [bool; 4] = [false, false, true, true];

#[test]
fn roc_auc_by_hand() {
    // Pairs (pos, neg): (0.35, 0.1) win, (0.35, 0.4) lose, (0.8, 0.1) win, (0.8, 0.4) win: 3 of 4.
    assert!((roc_auc(&SCORES, &LABELS).expect("auc") - 0.75).abs() < 1e-12);
    // Perfect and inverted rankings.
    assert_eq!(roc_auc(&[0.9, 0.8, 0.1], &[true, true, false]), Ok(1.0));
    assert_eq!(roc_auc(&[0.1, 0.2, 0.9], &[true, true, false]), Ok(0.0));
}

#[test]
fn ties_count_one_half() {
    assert_eq!(roc_auc(&[0.5, 0.5], &[true, false]), Ok(0.5));
    // Pos 0.7 beats negs 0.2 and ties 0.7: (1 + 0.5) / 2.
    assert_eq!(roc_auc(&[0.7, 0.7, 0.2], &[true, false, false]), Ok(0.75));
    // One group of everything: precision = base rate at the only threshold.
    assert_eq!(
        average_precision(&[0.3, 0.3, 0.3, 0.3], &[true, false, false, false]),
        Ok(0.25)
    );
}

#[test]
fn average_precision_by_hand() {
    // Descending: 0.8 (pos) P=1 R=.5; 0.4 (neg); 0.35 (pos) P=2/3 R=1. AP = .5·1 + .5·2/3 = 5/6.
    let ap = average_precision(&SCORES, &LABELS).expect("ap");
    assert!((ap - 5.0 / 6.0).abs() < 1e-12, "{ap}");
}

#[test]
fn confusion_at_a_threshold() {
    let c = Confusion::at(&SCORES, &LABELS, 0.35).expect("counts");
    assert_eq!(
        c,
        Confusion {
            tp: 2,
            fp: 1,
            tn: 1,
            fn_: 0
        }
    );
    assert!((c.precision() - 2.0 / 3.0).abs() < 1e-12);
    assert_eq!(c.recall(), 1.0);
    assert_eq!(c.false_positive_rate(), 0.5);
    assert!((c.f1() - 0.8).abs() < 1e-12);
    let none = Confusion::at(&SCORES, &LABELS, 0.9).expect("counts");
    assert_eq!(
        (none.precision(), none.recall(), none.f1()),
        (0.0, 0.0, 0.0)
    );
    let r = Report::compute(&SCORES, &LABELS, 0.35).expect("report");
    assert!(
        r.to_string().contains("ROC-AUC 0.7500  AUPRC 0.8333"),
        "{r}"
    );
}

#[test]
fn invalid_inputs_are_errors() {
    assert_eq!(
        roc_auc(&[0.1], &[true, false]),
        Err(MetricsError::LengthMismatch {
            scores: 1,
            labels: 2
        })
    );
    assert_eq!(
        roc_auc(&[0.1, 0.2], &[true, true]),
        Err(MetricsError::OneClass)
    );
    assert_eq!(
        average_precision(&[0.1, f32::NAN], &[true, false]),
        Err(MetricsError::NaN { index: 1 })
    );
}
