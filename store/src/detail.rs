//! Off-chain receipt details (DESIGN §3.3): accepted only when they hash to
//! the receipt's on-chain `detail_hash`.
//!
//! # Canonical encoding
//! The hash is blake2-256 over the detail's canonical JSON: the UTF-8 bytes
//! of the [`ReceiptDetail`] object with every object's keys sorted
//! (byte order), no insignificant whitespace, absent optional fields
//! omitted, integers in plain decimal, strings escaped only where JSON
//! requires it (`"`, `\`, control characters, as `\n`, `\t`… or `\u00XX`).
//! Example: `{"items":[{"list_price":1200,"name":"拿铁","paid_price":1000,"quantity":1,"time_deduction":0}],"merchant_name":"Café"}`.
//! Submitters build the detail, encode it this way, put the hash in the
//! order, and submit the detail in any JSON formatting: the indexer parses
//! it, re-encodes it canonically and compares.

use crate::entity::{receipt_details, receipts};
use crate::hex0x;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, IntoActiveModel};
use serde::{Deserialize, Serialize};

/// One line of a receipt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub name: String,
    pub quantity: u32,
    /// List price per unit, cents.
    pub list_price: u64,
    /// Price paid per unit, cents.
    pub paid_price: u64,
    /// Time deducted on this line, cents.
    pub time_deduction: u64,
}

/// Delivery data of an outside sale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Logistics {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub carrier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tracking_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub address: Option<String>,
}

/// The full detail of a receipt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptDetail {
    pub items: Vec<Item>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub logistics: Option<Logistics>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub merchant_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub customer_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub note: Option<String>,
}

impl ReceiptDetail {
    /// The canonical JSON bytes (see the module docs).
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let value = serde_json::to_value(self).expect("plain data serialises");
        let mut out = String::new();
        canonical(&value, &mut out);
        out.into_bytes()
    }

    /// blake2-256 of the canonical bytes: the order's `detail_hash`.
    pub fn hash(&self) -> [u8; 32] {
        crate::blake2_256(&self.canonical_bytes())
    }
}

/// Writes `v` canonically: keys sorted whatever serde_json's map type is.
fn canonical(v: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (n, k) in keys.into_iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                canonical(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// Why a detail was refused.
#[derive(Debug, thiserror::Error)]
pub enum DetailError {
    #[error("not a receipt detail: {0}")]
    Invalid(#[from] serde_json::Error),
    #[error("no receipt {0} is indexed (yet)")]
    UnknownReceipt(i64),
    #[error("the detail hashes to {computed}, receipt {receipt} has detail_hash {on_chain}")]
    HashMismatch {
        receipt: i64,
        computed: String,
        on_chain: String,
    },
    #[error("database: {0}")]
    Db(#[from] DbErr),
}

impl DetailError {
    /// The submitter's mistake (not the server's): a bad detail, an unknown
    /// receipt or a hash mismatch.
    pub fn is_client_error(&self) -> bool {
        !matches!(self, Self::Db(_))
    }
}

/// Stores `json` as the detail of receipt `receipt` if it matches the
/// receipt's on-chain hash; returns the hash. Submitting the same detail
/// again is harmless.
///
/// # Errors
/// [`DetailError`].
pub async fn ingest<C: ConnectionTrait>(
    db: &C,
    receipt: i64,
    json: &str,
) -> Result<[u8; 32], DetailError> {
    let detail: ReceiptDetail = serde_json::from_str(json)?;
    let row = receipts::Entity::find_by_id(receipt)
        .one(db)
        .await?
        .ok_or(DetailError::UnknownReceipt(receipt))?;
    let hash = detail.hash();
    let computed = hex0x(hash);
    if computed != row.detail_hash {
        return Err(DetailError::HashMismatch {
            receipt,
            computed,
            on_chain: row.detail_hash,
        });
    }
    let now = crate::now_ms();
    let model = receipt_details::Model {
        receipt_id: receipt,
        detail_hash: computed,
        detail: serde_json::to_value(&detail)?,
        received_at: now,
    };
    crate::repo::upsert(db, vec![model.into_active_model()]).await?;
    Ok(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ReceiptDetail {
        ReceiptDetail {
            items: vec![Item {
                name: "拿铁".into(),
                quantity: 1,
                list_price: 1200,
                paid_price: 1000,
                time_deduction: 0,
            }],
            logistics: None,
            merchant_name: Some("Café".into()),
            customer_name: None,
            note: None,
        }
    }

    #[test]
    fn canonical_form_sorts_keys_and_drops_absent_fields() {
        let bytes = sample().canonical_bytes();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            r#"{"items":[{"list_price":1200,"name":"拿铁","paid_price":1000,"quantity":1,"time_deduction":0}],"merchant_name":"Café"}"#
        );
    }

    #[test]
    fn formatting_does_not_change_the_hash_but_content_does() {
        let pretty = serde_json::to_string_pretty(&sample()).unwrap();
        let parsed: ReceiptDetail = serde_json::from_str(&pretty).unwrap();
        assert_eq!(parsed.hash(), sample().hash());
        let mut other = sample();
        other.items[0].paid_price = 999;
        assert_ne!(other.hash(), sample().hash());
    }

    #[test]
    fn unknown_fields_are_refused() {
        let e = serde_json::from_str::<ReceiptDetail>(r#"{"items":[],"tip":5}"#);
        assert!(e.is_err());
    }
}
