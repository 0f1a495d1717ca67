//! Ranking and classification metrics for scores against 0/1 labels.
//!
//! Higher scores mean "more likely fraud". Ties are handled exactly: ROC-AUC counts a tied positive/negative
//! pair as one half (the Mann–Whitney statistic), and AUPRC is average precision evaluated at each distinct
//! score (scikit-learn's `average_precision_score`).

/// Why a metric cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetricsError {
    #[error("{scores} scores but {labels} labels")]
    LengthMismatch { scores: usize, labels: usize },
    #[error("the labels contain only one class; ROC-AUC and AUPRC need both")]
    OneClass,
    #[error("score {index} is NaN")]
    NaN { index: usize },
}

fn check(scores: &[f32], labels: &[bool]) -> Result<(usize, usize), MetricsError> {
    if scores.len() != labels.len() {
        return Err(MetricsError::LengthMismatch {
            scores: scores.len(),
            labels: labels.len(),
        });
    }
    if let Some(index) = scores.iter().position(|s| s.is_nan()) {
        return Err(MetricsError::NaN { index });
    }
    let pos = labels.iter().filter(|&&l| l).count();
    let neg = labels.len() - pos;
    if pos == 0 || neg == 0 {
        return Err(MetricsError::OneClass);
    }
    Ok((pos, neg))
}

/// Indices sorted by descending score.
fn by_score_desc(scores: &[f32]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    idx
}

/// Area under the ROC curve.
///
/// # Errors
/// Mismatched lengths, NaN scores, or labels of one class only.
pub fn roc_auc(scores: &[f32], labels: &[bool]) -> Result<f64, MetricsError> {
    let (pos, neg) = check(scores, labels)?;
    let idx = by_score_desc(scores);
    // Walk groups of tied scores from the top; each negative scores below all positives seen in earlier
    // groups and ties with the positives in its own group.
    let mut pos_above = 0usize;
    let mut wins = 0.0f64;
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        let (mut p, mut n) = (0usize, 0usize);
        while j < idx.len() && scores[idx[j]] == scores[idx[i]] {
            if labels[idx[j]] {
                p += 1;
            } else {
                n += 1;
            }
            j += 1;
        }
        wins += n as f64 * (pos_above as f64 + 0.5 * p as f64);
        pos_above += p;
        i = j;
    }
    Ok(wins / (pos as f64 * neg as f64))
}

/// Area under the precision–recall curve as average precision: Σ (R_k − R_{k−1}) · P_k over the distinct
/// score thresholds, from the highest down.
///
/// # Errors
/// Mismatched lengths, NaN scores, or labels of one class only.
pub fn average_precision(scores: &[f32], labels: &[bool]) -> Result<f64, MetricsError> {
    let (pos, _) = check(scores, labels)?;
    let idx = by_score_desc(scores);
    let (mut tp, mut fp) = (0usize, 0usize);
    let mut ap = 0.0;
    let mut prev_recall = 0.0;
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j < idx.len() && scores[idx[j]] == scores[idx[i]] {
            if labels[idx[j]] {
                tp += 1;
            } else {
                fp += 1;
            }
            j += 1;
        }
        let recall = tp as f64 / pos as f64;
        let precision = tp as f64 / (tp + fp) as f64;
        ap += (recall - prev_recall) * precision;
        prev_recall = recall;
        i = j;
    }
    Ok(ap)
}

/// Counts of a thresholded classifier: a receipt is flagged when its score is `>= threshold`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Confusion {
    pub tp: usize,
    pub fp: usize,
    pub tn: usize,
    pub fn_: usize,
}

impl Confusion {
    /// Counts at `threshold`.
    ///
    /// # Errors
    /// Mismatched lengths.
    pub fn at(scores: &[f32], labels: &[bool], threshold: f32) -> Result<Self, MetricsError> {
        if scores.len() != labels.len() {
            return Err(MetricsError::LengthMismatch {
                scores: scores.len(),
                labels: labels.len(),
            });
        }
        Ok(Self::count(scores.iter().map(|&s| s >= threshold), labels))
    }

    /// Counts of decisions already taken (`flagged[i]`: receipt `i` is flagged).
    ///
    /// # Errors
    /// Mismatched lengths.
    pub fn of(flagged: &[bool], labels: &[bool]) -> Result<Self, MetricsError> {
        if flagged.len() != labels.len() {
            return Err(MetricsError::LengthMismatch {
                scores: flagged.len(),
                labels: labels.len(),
            });
        }
        Ok(Self::count(flagged.iter().copied(), labels))
    }

    fn count(flagged: impl Iterator<Item = bool>, labels: &[bool]) -> Self {
        let mut c = Confusion::default();
        for (f, &l) in flagged.zip(labels) {
            match (f, l) {
                (true, true) => c.tp += 1,
                (true, false) => c.fp += 1,
                (false, false) => c.tn += 1,
                (false, true) => c.fn_ += 1,
            }
        }
        c
    }

    /// TP / (TP + FP); 0 when nothing is flagged.
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    /// TP / (TP + FN); 0 when there are no positives.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// FP / (FP + TN): the share of honest receipts wrongly flagged.
    pub fn false_positive_rate(&self) -> f64 {
        ratio(self.fp, self.fp + self.tn)
    }

    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// The figures of the model card for one scorer on one labelled set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Report {
    pub roc_auc: f64,
    pub auprc: f64,
    pub threshold: f32,
    pub confusion: Confusion,
}

impl Report {
    /// ROC-AUC, AUPRC and the confusion counts at `threshold`.
    ///
    /// # Errors
    /// As [`roc_auc`].
    pub fn compute(scores: &[f32], labels: &[bool], threshold: f32) -> Result<Self, MetricsError> {
        Ok(Report {
            roc_auc: roc_auc(scores, labels)?,
            auprc: average_precision(scores, labels)?,
            threshold,
            confusion: Confusion::at(scores, labels, threshold)?,
        })
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = &self.confusion;
        write!(
            f,
            "ROC-AUC {:.4}  AUPRC {:.4}  at threshold {}: precision {:.4} recall {:.4} F1 {:.4} \
             (TP {} FP {} FN {} TN {}, false-positive rate {:.5})",
            self.roc_auc,
            self.auprc,
            self.threshold,
            c.precision(),
            c.recall(),
            c.f1(),
            c.tp,
            c.fp,
            c.fn_,
            c.tn,
            c.false_positive_rate()
        )
    }
}
