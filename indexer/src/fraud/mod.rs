//! Live fraud scoring (DESIGN.md §5).
//!
//! [`FraudScorer`] is the follower's scoring stage. Inside each batch's
//! transaction the follower maps every newly confirmed receipt to the
//! model's inputs ([`to_score`]: merchant category from `merchants`,
//! referrer from `customers`, as of that batch). After the commit the scorer,
//! on a task and a transaction of its own while the next batch is projected,
//! computes each receipt's features with bizkey-fraud's ONE feature
//! definition from the receipts confirmed before it, scores them with the
//! ONNX model and writes one `fraud_scores` row each. It lags the projection
//! by at most two batches; a crash in between leaves confirmed receipts
//! without scores, which the scorer scores first when it starts again
//! (`FraudScorer::follow`), in confirmation order.
//!
//! # The history, in memory and in SQL
//!
//! Receipts reach the indexer in confirmation (chain) order, while their
//! `order_time` is set by the submitter; the feature state needs
//! non-decreasing times, so each receipt is fed at
//! `feature_time = max(order_time, previous feature_time)`: the history a
//! receipt is scored against is what the chain had confirmed before it. Each
//! row keeps the model inputs exactly as fed (including the category and
//! referrer of that moment) and its position `seq`; the warm in-memory
//! [`FeatureState`] is rebuilt by replaying the rows in `seq` order, on the
//! first batch after a start and whenever the rows in SQL are not the ones
//! in memory (a batch whose transaction rolled back). A restarted indexer
//! therefore computes the same features as an uninterrupted one.
//!
//! # Flags
//!
//! A score at or above the model's threshold gives status `pending` when a
//! reporter key is configured (else `unreported`). So does the account rule
//! (`groups`): the batch's scores also join their merchant's, customer's and
//! referrer's rows of `fraud_groups`, and when a customer's group score
//! reaches the threshold, that customer's `clear` receipts still in their
//! challenge window become `pending` too, each with a `fraud_group_flags`
//! row saying which group raised it. The [`Reporter`] task
//! submits the ledger's `flag(id, evidence)` for pending rows (evidence: the
//! `features_hash`), after a dry run that tells a closed window
//! (`too_late`) or a receipt already flagged or refunded (`not_confirmed`,
//! or `flagged` when the flag on chain is ours) from a flag to send. Whose
//! flag it was is read from the index, so while the index has not reached
//! the block of that flag or refund (a catch-up, a rebuild) the row stays
//! `pending` and is asked about again. Each row leaves `pending` exactly
//! once, so a receipt is never flagged twice; failures are logged, counted in
//! `attempts` and retried, and never stop indexing.
//!
//! # At start, and while running
//!
//! [`Reporter::check`] runs before anything is indexed: the ledger must
//! accept the key's flags, or the indexer refuses to start with
//! [`FraudError::MissingRole`] (account, role, contract). The ledger has no
//! message that returns a role (its `role` accessor is on the storage item,
//! not a message), so the check asks what matters, whether `flag` would pass
//! its authorisation: a dry run of `flag` on a receipt id no ledger reaches
//! (`u64::MAX`) answers `Unauthorized` unless the caller holds `Reporter`
//! (or is the ledger's admin or governance, which may flag too), and
//! `ReceiptNotFound` otherwise; the authorisation is the message's first
//! check. It also reads the challenge window from `params()` (again every
//! [`PARAMS_REFRESH`] while running: one dry run, so a `set_params` shows
//! within that time) into [`Metrics::challenge_ms`], against which `/health`
//! judges the lag. Every failed flag attempt is logged (`warn`, with the
//! receipt id and the error) and counted ([`Metrics::flag_failed`]).
//!
//! `tests/fraud_onchain.rs` runs all of it against a real node: a simulated
//! brushing ring flagged on chain inside the challenge window, its rewards
//! forfeited, honest merchants and customers paid.

mod groups;
mod reporter;
mod scorer;

pub use reporter::*;
pub use scorer::*;

use bizkey_fraud::score::ScoreError;
use bizkey_types::roles::Role;

/// Statuses of a `fraud_scores` row.
pub mod status {
    /// Below the threshold.
    pub const CLEAR: &str = "clear";
    /// At or above it; the reporter has not settled it yet.
    pub const PENDING: &str = "pending";
    /// Our flag is on chain.
    pub const FLAGGED: &str = "flagged";
    /// The challenge window closed before the flag.
    pub const TOO_LATE: &str = "too_late";
    /// Someone else flagged or refunded it first.
    pub const NOT_CONFIRMED: &str = "not_confirmed";
    /// At or above the threshold, but no reporter key is configured.
    pub const UNREPORTED: &str = "unreported";
}

/// Failure to set up scoring or reporting.
#[derive(Debug, thiserror::Error)]
pub enum FraudError {
    #[error("fraud model: {0}")]
    Score(#[from] ScoreError),
    #[error("reporter: {0}")]
    Chain(#[from] bizkey_chain::ChainError),
    #[error("reporter: the manifest has no ledger: {0}")]
    Manifest(#[from] bizkey_chain::ManifestError),
    /// The reporter key cannot flag: the ledger answers `Unauthorized`.
    #[error(
        "reporter: account {account} lacks the {role:?} role on the {contract} contract at {address} \
         (nor is it that contract's admin or governance), so the contract would refuse its flags; \
         grant it with the contract's `set_role({role:?}, account)`, or leave `reporter_suri` unset to score without flagging"
    )]
    MissingRole {
        account: String,
        role: Role,
        contract: String,
        address: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use bizkey_fraud::receipt::Channel;
    use bizkey_store::amount::U128;
    use bizkey_store::entity::{fraud_scores, fundings, receipt_status_history, receipts};
    use bizkey_store::repo::upsert;
    use bizkey_store::test_db::{Engine, TestDb, ENGINES};
    use bizkey_types::registry::Category;
    use bizkey_types::Named;
    use sea_orm::IntoActiveModel;
    use sea_orm::TransactionTrait;
    use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, QueryOrder};

    fn receipt(id: i64, merchant: &str, customer: &str, order_time: i64) -> receipts::Model {
        receipts::Model {
            id,
            merchant: merchant.into(),
            customer: customer.into(),
            opened_by: "Merchant".into(),
            order_id: U128(id as u128),
            order_time,
            channel: if id % 3 == 0 { "Outside" } else { "InStore" }.into(),
            amount: U128(4_800 + 100 * (id as u128 % 7)),
            discount: U128(0),
            time_paid: U128(1_200 * bizkey_math::TIME_UNITS_PER_CENT),
            items: 1 + id % 4,
            detail_hash: "0x00".into(),
            status: "Confirmed".into(),
            opened_at: order_time,
            expires_at: order_time + 1,
            confirmed_at: Some(order_time),
            matures_at: Some(order_time + 86_400_000),
            earlier_in_window: Some(0),
            first_at_merchant: Some(true),
            first_purchase: Some(true),
            bizpower: None,
            biz_reward: None,
            time_reward: None,
            referral_time: None,
            flagged_by: None,
            evidence: None,
            time_returned: None,
            opened_block: id,
            updated_block: id,
        }
    }

    #[test]
    fn maps_the_on_chain_receipt_to_the_feature_schema() {
        let r = receipt(3, "m", "c", 1_700_000_000_000);
        let i = Inputs::of(&r, Some("Bakery"), Some("ref"));
        assert_eq!(i.channel, Channel::Outside);
        assert_eq!(i.amount_cents, 4_800 + 300);
        assert_eq!(i.time_deducted_cents, 1_200, "Time units become cents");
        assert_eq!(i.items, 4);
        assert_eq!(i.order_time, 1_700_000_000_000);
        assert_eq!(i.referrer.as_deref(), Some("ref"));
        let mut h = History::new();
        let model = h.receipt(&i, i.order_time);
        assert_eq!(
            model.category, 3,
            "Bakery is the registry's fourth category"
        );
        assert_eq!(model.channel, Channel::Outside);
        assert_eq!(
            (model.merchant, model.customer, model.referrer),
            (0, 0, Some(1))
        );
        // an unregistered merchant counts as Other; a negative field never wraps
        let mut odd = receipt(1, "m", "c", -5);
        odd.items = -1;
        let i = Inputs::of(&odd, None, None);
        assert_eq!((category_id(&i.category), i.order_time, i.items), (8, 0, 0));
        assert_eq!(i.channel, Channel::InStore);
        assert_eq!(category_id("Services"), 7);
    }

    #[test]
    fn times_never_go_back_and_a_replay_gives_the_same_features() {
        let inputs: Vec<Inputs> = (0..60)
            .map(|n| {
                // order times jump back and forth, as submitters set them
                let t = 1_700_000_000_000 + n * 600_000 - (n % 4) * 1_500_000;
                let r = receipt(n, &format!("m{}", n % 3), &format!("c{}", n % 7), t);
                Inputs::of(&r, Some(Category::ALL[(n % 3) as usize].as_str()), None)
            })
            .collect();
        // before every fifth receipt, a funding of one of the customers by
        // one of two wallets (the first of each account counts)
        let before: Vec<Vec<fundings::Model>> = (0..60)
            .map(|n| {
                (n % 5 == 0)
                    .then(|| fundings::Model {
                        account: format!("c{}", (n / 5) % 7),
                        funder: format!("f{}", n % 2),
                        amount: U128(1),
                        block_number: n,
                        event_index: 0,
                        timestamp: 0,
                    })
                    .into_iter()
                    .collect()
            })
            .collect();
        let mut live = History::new();
        let mut rows = Vec::new();
        let mut last = 0;
        let fanout = bizkey_fraud::features::FEATURE_NAMES
            .iter()
            .position(|&n| n == "funder_fanout")
            .unwrap();
        let mut funded_features = 0;
        let mut funded = Vec::new();
        for (seq, (i, before)) in inputs.iter().zip(&before).enumerate() {
            let p = live.push(i, before).unwrap();
            funded_features += usize::from(p.features[fanout] > 0.0);
            // customer c<k> buys at every n with n % 7 == k and is funded at n = 5k
            let n = seq as i64;
            assert_eq!(p.funded, 5 * (n % 7) <= n, "receipt {n}");
            funded.push(p.funded);
            assert!(p.time >= last && p.time >= i.order_time);
            last = p.time;
            let mut row = row_of(n, i, p.time);
            row.features = serde_json::json!(p.features.to_vec());
            rows.push(row);
        }
        assert!(funded_features > 10, "the fundings reach the features");
        // a restart after 40 rows: replay them, then score the rest
        let mut restarted = History::new();
        for (row, before) in rows[..40].iter().zip(&before) {
            restarted.replay(row, before).unwrap();
        }
        assert_eq!(restarted.next_seq, 40);
        for (((i, row), before), &funded) in inputs[40..]
            .iter()
            .zip(&rows[40..])
            .zip(&before[40..])
            .zip(&funded[40..])
        {
            let p = restarted.push(i, before).unwrap();
            assert_eq!(p.time as i64, row.feature_time);
            assert_eq!(serde_json::json!(p.features.to_vec()), row.features);
            assert_eq!(p.funded, funded, "replayed fundings count as known");
        }
    }

    fn row_of(seq: i64, i: &Inputs, time: u64) -> fraud_scores::Model {
        fraud_scores::Model {
            seq,
            receipt_id: seq,
            merchant: i.merchant.clone(),
            customer: i.customer.clone(),
            category: i.category.clone(),
            referrer: i.referrer.clone(),
            channel: i.channel_name().into(),
            amount_cents: i.amount_cents as i64,
            time_deducted_cents: i.time_deducted_cents as i64,
            items: i64::from(i.items),
            order_time: i.order_time as i64,
            feature_time: time as i64,
            features: serde_json::json!([]),
            features_hash: String::new(),
            score_ppm: 0,
            model_version: String::new(),
            threshold_ppm: 0,
            status: status::CLEAR.into(),
            matures_at: None,
            attempts: 0,
            last_error: None,
            flag_block: None,
        }
    }

    #[test]
    fn evidence_depends_on_model_and_features() {
        let f = [0.5f32; bizkey_fraud::features::N_FEATURES];
        let mut g = f;
        g[7] = 0.25;
        assert_ne!(features_hash("v1", &f), features_hash("v2", &f));
        assert_ne!(features_hash("v1", &f), features_hash("v1", &g));
        assert_eq!(
            parse_hash(&bizkey_store::hex0x(features_hash("v1", &f))),
            features_hash("v1", &f)
        );
    }

    /// The scorer scores each receipt once, in order, even when a batch is
    /// applied again, and after a rolled-back batch or a restart it
    /// continues from SQL with the same features.
    /// A fresh, migrated SQLite database (kept while the `TestDb` lives).
    async fn sqlite_db() -> (TestDb, DatabaseConnection) {
        let test_db = TestDb::new(Engine::Sqlite).await.expect("SQLite");
        let db = test_db.connect().await;
        (test_db, db)
    }

    fn thirty_receipts() -> Vec<receipts::Model> {
        (0..30)
            .map(|n| {
                receipt(
                    n,
                    &format!("m{}", n % 2),
                    &format!("c{}", n % 5),
                    1_700_000_000_000 + n * 60_000,
                )
            })
            .collect()
    }

    async fn scores(db: &DatabaseConnection) -> Vec<fraud_scores::Model> {
        fraud_scores::Entity::find()
            .order_by_asc(fraud_scores::Column::Seq)
            .all(db)
            .await
            .unwrap()
    }

    /// What the index has besides the receipts: receipt n confirmed in
    /// block n + 1, and before every third receipt a funding by one of two
    /// wallets, of the customers first, then of accounts that never buy
    /// (one after the last receipt).
    async fn index(db: &impl ConnectionTrait, all: &[receipts::Model]) {
        let confirmations = all.iter().map(|r| receipt_status_history::Model {
            block_number: r.id + 1,
            event_index: 0,
            receipt_id: r.id,
            status: "Confirmed".into(),
            changed_by: None,
            timestamp: 0,
        });
        upsert(db, confirmations.map(IntoActiveModel::into_active_model))
            .await
            .unwrap();
        let funded = (0..all.len() / 3 + 1)
            .map(|k| k as i64 * 3)
            .map(|n| fundings::Model {
                account: if n < 15 {
                    format!("c{}", n / 3)
                } else {
                    format!("x{n}")
                },
                funder: format!("w{}", (n / 3) % 2),
                amount: U128(1),
                block_number: n,
                event_index: 7,
                timestamp: 0,
            });
        upsert(db, funded.map(IntoActiveModel::into_active_model))
            .await
            .unwrap();
    }

    /// `receipts` with their confirmations as `index` writes them.
    fn confirmed(receipts: &[receipts::Model]) -> Vec<(receipts::Model, Position)> {
        receipts
            .iter()
            .map(|r| (r.clone(), (r.id + 1, 0)))
            .collect()
    }

    /// The rows of one uninterrupted run, one batch per 10 receipts.
    async fn reference(all: &[receipts::Model]) -> Vec<fraud_scores::Model> {
        let reference =
            FraudScorer::load(&bizkey_fraud::score::default_model_path(), true).unwrap();
        let (_dir, db) = sqlite_db().await;
        index(&db, all).await;
        for chunk in all.chunks(10) {
            let txn = db.begin().await.unwrap();
            let batch = to_score(&txn, confirmed(chunk)).await.unwrap();
            reference.score(&txn, &batch).await.unwrap();
            txn.commit().await.unwrap();
        }
        let want = scores(&db).await;
        assert_eq!(want.len(), all.len());
        let fanout = bizkey_fraud::features::FEATURE_NAMES
            .iter()
            .position(|&n| n == "funder_fanout")
            .unwrap();
        assert!(
            want.iter().filter(|r| r.features[fanout] != 0.0).count() > 10,
            "the fundings reach the features"
        );
        assert!(want
            .iter()
            .all(|r| r.model_version == reference.info().version));
        want
    }

    fn same_rows(got: &[fraud_scores::Model], want: &[fraud_scores::Model]) {
        assert_eq!(got.len(), want.len(), "each receipt scored once");
        for (g, w) in got.iter().zip(want) {
            assert_eq!((g.seq, g.receipt_id), (w.seq, w.receipt_id));
            assert_eq!(g.features, w.features, "receipt {}", g.receipt_id);
            assert_eq!(
                (g.score_ppm, &g.features_hash),
                (w.score_ppm, &w.features_hash)
            );
        }
    }

    #[tokio::test]
    async fn scores_each_receipt_once_and_survives_rollbacks_and_restarts() {
        let (_dir, db) = sqlite_db().await;
        let path = &bizkey_fraud::score::default_model_path();
        let all = thirty_receipts();
        let want = reference(&all).await;
        index(&db, &all).await;

        let scorer = FraudScorer::load(path, false).unwrap();
        async fn apply(
            db: &DatabaseConnection,
            s: &FraudScorer,
            rs: &[receipts::Model],
            commit: bool,
        ) {
            let txn = db.begin().await.unwrap();
            let batch = to_score(&txn, confirmed(rs)).await.unwrap();
            s.score(&txn, &batch).await.unwrap();
            if commit {
                txn.commit().await.unwrap();
            } else {
                txn.rollback().await.unwrap();
            }
        }
        apply(&db, &scorer, &all[..10], true).await;
        apply(&db, &scorer, &all[..10], true).await; // the same receipts again: nothing new
        apply(&db, &scorer, &all[10..20], false).await; // rolled back
        drop(scorer);
        let restarted = FraudScorer::load(path, false).unwrap();
        apply(&db, &restarted, &all[10..20], true).await;
        apply(&db, &restarted, &all[20..], true).await;
        let got = scores(&db).await;
        same_rows(&got, &want);
        for (g, w) in got.iter().zip(&want) {
            // without a reporter nothing is left pending
            assert_ne!(g.status, status::PENDING);
            let above = w.score_ppm >= w.threshold_ppm;
            assert_eq!(w.status == status::PENDING, above);
        }
    }

    /// A crash between a batch's commit and its scores' commit leaves
    /// confirmed receipts without rows: the scoring stage scores them first
    /// when it starts, in confirmation order and each once (a receipt
    /// confirmed again after a flag, a batch sent that it already caught up
    /// with), giving the rows of an uninterrupted run.
    #[tokio::test]
    async fn the_scoring_stage_first_scores_what_a_crash_left_unscored() {
        let all = thirty_receipts();
        let want = reference(&all).await;
        for engine in ENGINES {
            let Some(test_db) = TestDb::new(engine).await else {
                continue;
            };
            let db = test_db.connect().await;
            crashed_and_restarted(&db, &all).await;
            same_rows(&scores(&db).await, &want);
        }
    }

    /// Scores receipts 0-9 of `all`, "crashes", and runs a new scoring
    /// stage over an index that confirmed all of them.
    async fn crashed_and_restarted(db: &DatabaseConnection, all: &[receipts::Model]) {
        let path = &bizkey_fraud::score::default_model_path();
        // The index (`index`), and receipt 4 confirmed again (restored) in
        // block 100.
        let txn = db.begin().await.unwrap();
        upsert(
            &txn,
            all.iter().cloned().map(IntoActiveModel::into_active_model),
        )
        .await
        .unwrap();
        index(&txn, all).await;
        let restored = receipt_status_history::Model {
            block_number: 100,
            event_index: 0,
            receipt_id: 4,
            status: "Confirmed".into(),
            changed_by: None,
            timestamp: 0,
        };
        upsert(&txn, [restored.into_active_model()]).await.unwrap();
        txn.commit().await.unwrap();

        // Scored up to receipt 9, then the crash.
        let before = FraudScorer::load(path, false).unwrap();
        let txn = db.begin().await.unwrap();
        let batch = to_score(&txn, confirmed(&all[..10])).await.unwrap();
        before.score(&txn, &batch).await.unwrap();
        txn.commit().await.unwrap();
        drop(before);

        let restarted = FraudScorer::load(path, false).unwrap();
        let (queue, batches) = tokio::sync::mpsc::channel(1);
        queue
            .send(to_score(db, confirmed(&all[25..])).await.unwrap())
            .await
            .unwrap();
        drop(queue);
        let metrics = crate::metrics::Metrics::default();
        restarted.follow(db, batches, &metrics).await.unwrap();
    }
}
