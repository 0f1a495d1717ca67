//! Group scores (`fraud_groups`) and the account rule (`fraud_group_flags`),
//! kept in the scoring transaction from the batch's new `fraud_scores` rows
//! with bizkey-fraud's [`GroupStats`], the one definition the `score` CLI
//! evaluates.
//!
//! Merchant and referrer groups are only stored, for the super nodes'
//! review. A customer group that reaches the model's threshold raises that
//! customer's receipts that are still in their challenge window and below
//! the threshold: their rows become `pending` (or `unreported`) like a
//! receipt above the threshold, so the ledger's `flag`, within the window, is
//! still the only way a verdict reaches the chain.

use super::status;
use crate::projection::{any_pair, KEYS_PER_QUERY};
use bizkey_fraud::group::{GroupStats, TOP};
use bizkey_store::column::{FraudGroupKind as Kind, Named};
use bizkey_store::entity::{fraud_group_flags, fraud_groups, fraud_scores};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A `…_ppm` column as the `u32` parts per million of [`GroupStats`].
fn column_ppm(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

fn stats_of(row: &fraud_groups::Model) -> GroupStats {
    GroupStats {
        receipts: u64::try_from(row.receipts).unwrap_or(0),
        above: u64::try_from(row.above).unwrap_or(0),
        score_sum: u64::try_from(row.score_sum_ppm).unwrap_or(0),
        top: [
            column_ppm(row.top1_ppm),
            column_ppm(row.top2_ppm),
            column_ppm(row.top3_ppm),
        ],
    }
}

fn row_of(kind: Kind, account: &str, g: &GroupStats, last_seq: i64) -> fraud_groups::Model {
    let int = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    let [top1, top2, top3] = g.top;
    const _: () = assert!(TOP == 3, "fraud_groups has three top columns");
    fraud_groups::Model {
        kind: kind.as_str().to_owned(),
        account: account.to_owned(),
        receipts: int(g.receipts),
        above: int(g.above),
        score_sum_ppm: int(g.score_sum),
        top1_ppm: top1.into(),
        top2_ppm: top2.into(),
        top3_ppm: top3.into(),
        score_ppm: g.score().map(i64::from),
        last_seq,
    }
}

/// The account whose group of `kind` a row joins (`None`: no referrer).
fn member(kind: Kind, row: &fraud_scores::Model) -> Option<&str> {
    match kind {
        Kind::Merchant => Some(&row.merchant),
        Kind::Customer => Some(&row.customer),
        Kind::Referrer => row.referrer.as_deref(),
    }
}

/// A customer group that reached the threshold at one receipt.
struct Raise {
    customer: String,
    /// Confirmation time of that receipt: windows ending later are open.
    at: i64,
    group_score: u32,
    by_seq: i64,
}

/// Adds the batch's new rows (in `seq` order) to their groups, raises the
/// open receipts of customers whose group reached the threshold, and writes
/// the groups, the raised rows and their `fraud_group_flags`. `rows` are the
/// batch's rows, not yet written: raised ones among them are changed in
/// place. `confirmed_at` maps their receipt ids to the confirmation time.
/// Returns how many rows it raised.
pub(super) async fn update<C: ConnectionTrait>(
    db: &C,
    rows: &mut [fraud_scores::Model],
    confirmed_at: &HashMap<i64, i64>,
    raised_status: &str,
) -> Result<usize, DbErr> {
    // The batch's groups as stored, one query per chunk of keys.
    let keys: HashSet<(&'static str, &str)> = Kind::ALL
        .iter()
        .flat_map(|&k| {
            rows.iter()
                .filter_map(move |r| Some((k.as_str(), member(k, r)?)))
        })
        .collect();
    let keys: Vec<(&str, &str)> = keys.into_iter().collect();
    let mut groups: BTreeMap<(Kind, String), (GroupStats, i64)> = BTreeMap::new();
    for chunk in keys.chunks(KEYS_PER_QUERY) {
        let found = fraud_groups::Entity::find()
            .filter(any_pair(
                fraud_groups::Column::Kind,
                fraud_groups::Column::Account,
                chunk,
            ))
            .all(db)
            .await?;
        for g in found {
            let kind = Kind::from_name(&g.kind)
                .ok_or_else(|| DbErr::Custom(format!("fraud_groups.kind {:?}", g.kind)))?;
            groups.insert((kind, g.account.clone()), (stats_of(&g), g.last_seq));
        }
    }

    let mut raises = Vec::new();
    for row in rows.iter() {
        let (score, threshold) = (column_ppm(row.score_ppm), column_ppm(row.threshold_ppm));
        for &kind in Kind::ALL {
            let Some(account) = member(kind, row) else {
                continue;
            };
            let (g, last) = groups
                .entry((kind, account.to_owned()))
                .or_insert((GroupStats::default(), row.seq));
            g.push(score, threshold);
            *last = row.seq;
            if kind == Kind::Customer && g.reaches(threshold) {
                raises.push(Raise {
                    customer: account.to_owned(),
                    at: confirmed_at.get(&row.receipt_id).copied().unwrap_or(0),
                    group_score: g.score().unwrap_or(0),
                    by_seq: row.seq,
                });
            }
        }
    }

    // Clear rows of the raising customers that may still be open: the
    // batch's own, and earlier ones from SQL.
    let raising: HashSet<&str> = raises.iter().map(|r| r.customer.as_str()).collect();
    let mut earlier: Vec<fraud_scores::Model> = Vec::new();
    if let Some(first) = raises.iter().map(|r| r.at).min() {
        let customers: Vec<&str> = raising.iter().copied().collect();
        for chunk in customers.chunks(KEYS_PER_QUERY) {
            earlier.extend(
                fraud_scores::Entity::find()
                    .filter(fraud_scores::Column::Customer.is_in(chunk.iter().copied()))
                    .filter(fraud_scores::Column::Status.eq(status::CLEAR))
                    .filter(fraud_scores::Column::MaturesAt.gt(first))
                    .all(db)
                    .await?,
            );
        }
    }

    // Each raising customer's candidates: (in `earlier`?, index).
    let mut candidates: HashMap<String, Vec<(bool, usize)>> = HashMap::new();
    for (i, r) in earlier.iter().enumerate() {
        candidates
            .entry(r.customer.clone())
            .or_default()
            .push((true, i));
    }
    for (i, r) in rows.iter().enumerate() {
        if raising.contains(r.customer.as_str()) {
            candidates
                .entry(r.customer.clone())
                .or_default()
                .push((false, i));
        }
    }

    let mut flags = Vec::new();
    let mut raised = 0usize;
    for raise in &raises {
        for &(in_earlier, i) in candidates.get(&raise.customer).into_iter().flatten() {
            let r = if in_earlier {
                &mut earlier[i]
            } else {
                &mut rows[i]
            };
            let open = r.seq <= raise.by_seq
                && r.status == status::CLEAR
                && r.matures_at.is_some_and(|m| m > raise.at);
            if !open {
                continue;
            }
            r.status = raised_status.to_owned();
            raised += 1;
            tracing::info!(
                receipt = r.receipt_id,
                customer = %raise.customer,
                group_score = raise.group_score,
                "receipt raised by its customer's group score"
            );
            flags.push(
                fraud_group_flags::Model {
                    receipt_id: r.receipt_id,
                    seq: r.seq,
                    kind: Kind::Customer.as_str().to_owned(),
                    account: raise.customer.clone(),
                    group_score_ppm: raise.group_score.into(),
                    raised_by_seq: raise.by_seq,
                }
                .into_active_model(),
            );
        }
    }
    // Only their status changes: the rest of an earlier row stays as it was
    // written (its features read back and written again could drift by an
    // ulp, and a replayed index must end byte for byte like a fresh one).
    let changed: Vec<i64> = earlier
        .iter()
        .filter(|r| r.status != status::CLEAR)
        .map(|r| r.seq)
        .collect();
    for chunk in changed.chunks(KEYS_PER_QUERY) {
        fraud_scores::Entity::update_many()
            .col_expr(fraud_scores::Column::Status, Expr::value(raised_status))
            .filter(fraud_scores::Column::Seq.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    bizkey_store::repo::upsert(db, flags).await?;
    let groups: Vec<_> = groups
        .into_iter()
        .map(|((kind, account), (g, last))| row_of(kind, &account, &g, last).into_active_model())
        .collect();
    bizkey_store::repo::upsert(db, groups).await?;
    Ok(raised)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bizkey_store::test_db::{Engine, TestDb};
    use sea_orm::{DatabaseConnection, QueryOrder, Statement};

    /// `fraud_groups.kind` names the kinds as the `score` CLI's reports do.
    #[test]
    fn kinds_are_named_as_in_the_fraud_crate() {
        use bizkey_fraud::group::GroupKind;
        assert_eq!(Kind::ALL.len(), GroupKind::ALL.len());
        for k in GroupKind::ALL {
            assert_eq!(
                Kind::from_name(k.as_str()).map(Kind::as_str),
                Some(k.as_str())
            );
        }
    }

    const THRESHOLD: i64 = 900_000;
    const WINDOW: i64 = 1_000;

    /// A scored row of `customer` (referred by `r`), confirmed at `at`.
    fn row(
        seq: i64,
        customer: &str,
        referrer: Option<&str>,
        score: i64,
        at: i64,
    ) -> fraud_scores::Model {
        fraud_scores::Model {
            seq,
            receipt_id: 100 + seq,
            merchant: "m".into(),
            customer: customer.into(),
            category: "Cafe".into(),
            referrer: referrer.map(str::to_owned),
            channel: "InStore".into(),
            amount_cents: 1_000,
            time_deducted_cents: 0,
            items: 1,
            order_time: at,
            feature_time: at,
            features: serde_json::json!([]),
            features_hash: "0x00".into(),
            score_ppm: score,
            model_version: "test".into(),
            threshold_ppm: THRESHOLD,
            status: if score >= THRESHOLD {
                status::PENDING
            } else {
                status::CLEAR
            }
            .into(),
            matures_at: Some(at + WINDOW),
            attempts: 0,
            last_error: None,
            flag_block: None,
        }
    }

    /// What the scorer does with a batch: the groups, then the rows.
    async fn batch(db: &DatabaseConnection, mut rows: Vec<fraud_scores::Model>) -> usize {
        let at = rows.iter().map(|r| (r.receipt_id, r.order_time)).collect();
        let raised = update(db, &mut rows, &at, status::PENDING).await.unwrap();
        let rows: Vec<_> = rows
            .into_iter()
            .map(IntoActiveModel::into_active_model)
            .collect();
        bizkey_store::repo::upsert(db, rows).await.unwrap();
        raised
    }

    /// Row `seq`'s features as SQL holds them, not as serde_json reads them.
    async fn features_text(db: &DatabaseConnection, seq: i64) -> String {
        let sql = format!("SELECT CAST(features AS TEXT) AS f FROM fraud_scores WHERE seq = {seq}");
        db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap()
            .unwrap()
            .try_get("", "f")
            .unwrap()
    }

    #[tokio::test]
    async fn a_customer_reaching_the_threshold_raises_its_open_receipts_across_batches() {
        let db = TestDb::new(Engine::Sqlite).await.unwrap().connect().await;
        // Batch 1: customer a's first receipt (its window closes at 1,000),
        // two more, and one of customer b referred by a.
        let mut third = row(3, "a", None, 800_000, 1_700);
        // A feature that serde_json reads back an ulp away (f32 0.00099755789
        // as f64): the raise must not write the row's features again.
        third.features = serde_json::json!([0.000_997_557_9_f32, 0.401_095_8_f32]);
        let raised = batch(
            &db,
            vec![
                row(0, "a", None, 100_000, 0),
                row(1, "a", None, 950_000, 1_500),
                row(2, "b", Some("a"), 990_000, 1_600),
                third,
            ],
        )
        .await;
        // a's top three: 950,000, 800,000, 100,000: mean 616,666, below.
        assert_eq!(raised, 0);
        let written = features_text(&db, 3).await;
        // Batch 2: a's fourth receipt lifts the group to (980 + 950 + 800) / 3
        // = 910,000 at 2,000: receipt 3 (open until 2,700) is raised, receipt
        // 0 (closed at 1,000) is not; receipt 1 is pending by its own score.
        let raised = batch(&db, vec![row(4, "a", None, 980_000, 2_000)]).await;
        assert_eq!(raised, 1);
        let status: Vec<(i64, String)> = fraud_scores::Entity::find()
            .order_by_asc(fraud_scores::Column::Seq)
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.seq, r.status))
            .collect();
        let pending = status::PENDING.to_owned();
        assert_eq!(
            status,
            [
                (0, status::CLEAR.to_owned()),
                (1, pending.clone()),
                (2, pending.clone()),
                (3, pending.clone()),
                (4, pending),
            ]
        );
        assert_eq!(features_text(&db, 3).await, written);
        let flags = fraud_group_flags::Entity::find().all(&db).await.unwrap();
        assert_eq!(flags.len(), 1);
        assert_eq!(
            (
                flags[0].receipt_id,
                flags[0].account.as_str(),
                flags[0].group_score_ppm,
                flags[0].raised_by_seq
            ),
            (103, "a", 910_000, 4)
        );

        let groups: Vec<(String, String, i64, i64, Option<i64>, i64)> =
            fraud_groups::Entity::find()
                .order_by_asc(fraud_groups::Column::Kind)
                .order_by_asc(fraud_groups::Column::Account)
                .all(&db)
                .await
                .unwrap()
                .into_iter()
                .map(|g| {
                    (
                        g.kind,
                        g.account,
                        g.receipts,
                        g.above,
                        g.score_ppm,
                        g.last_seq,
                    )
                })
                .collect();
        let s = |s: &str| s.to_owned();
        assert_eq!(
            groups,
            [
                (s("customer"), s("a"), 4, 2, Some(910_000), 4),
                (s("customer"), s("b"), 1, 1, None, 2),
                (s("merchant"), s("m"), 5, 3, Some(973_333), 4),
                (s("referrer"), s("a"), 1, 1, None, 2),
            ]
        );
        let a = fraud_groups::Entity::find_by_id((s("customer"), s("a")))
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (a.score_sum_ppm, a.top1_ppm, a.top2_ppm, a.top3_ppm),
            (2_830_000, 980_000, 950_000, 800_000)
        );
    }
}
