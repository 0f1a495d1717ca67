//! `u128` in SQL.
//!
//! Token amounts reach 10^22 (10B tokens × 10^12) and sale amounts are `u128`
//! too, past `BIGINT`. PostgreSQL stores them exactly as `NUMERIC(39,0)`;
//! SQLite has no such type (a `NUMERIC` column silently turns integers past
//! 2^63 into lossy `REAL`s), so there the column is `TEXT` holding the
//! canonical decimal string. [`U128`] binds as a `BigDecimal` (which sea-query
//! sends to SQLite as its decimal string) and reads back from either form, so
//! the entities look the same on both engines.

use bigdecimal::BigDecimal;
use sea_orm::sea_query::{ArrayType, ColumnType, Nullable, ValueType, ValueTypeErr};
use sea_orm::{ColIdx, QueryResult, TryGetError, TryGetable, Value};
use std::fmt;
use std::str::FromStr;

/// An unsigned 128-bit integer column (`NUMERIC(39,0)` / `TEXT`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct U128(pub u128);

impl fmt::Display for U128 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<u128> for U128 {
    fn from(v: u128) -> Self {
        Self(v)
    }
}

impl From<U128> for u128 {
    fn from(v: U128) -> Self {
        v.0
    }
}

impl From<U128> for Value {
    fn from(v: U128) -> Self {
        Value::BigDecimal(Some(Box::new(BigDecimal::from(v.0))))
    }
}

fn parse_decimal(s: &str) -> Option<u128> {
    u128::from_str(s.trim()).ok()
}

fn from_big(d: &BigDecimal) -> Option<u128> {
    if !d.is_integer() {
        return None;
    }
    let (int, _) = d.with_scale(0).into_bigint_and_exponent();
    u128::from_str(&int.to_string()).ok()
}

impl ValueType for U128 {
    fn try_from(v: Value) -> Result<Self, ValueTypeErr> {
        match v {
            Value::BigDecimal(Some(d)) => from_big(&d).map(U128).ok_or(ValueTypeErr),
            Value::String(Some(s)) => parse_decimal(&s).map(U128).ok_or(ValueTypeErr),
            _ => Err(ValueTypeErr),
        }
    }

    fn type_name() -> String {
        "U128".to_owned()
    }

    fn array_type() -> ArrayType {
        ArrayType::BigDecimal
    }

    fn column_type() -> ColumnType {
        ColumnType::Decimal(Some((39, 0)))
    }
}

impl Nullable for U128 {
    fn null() -> Value {
        Value::BigDecimal(None)
    }
}

impl TryGetable for U128 {
    fn try_get_by<I: ColIdx>(res: &QueryResult, idx: I) -> Result<Self, TryGetError> {
        // SQLite: TEXT. PostgreSQL: NUMERIC (reading it as a string fails
        // with a type mismatch, which sends us to the second branch).
        match String::try_get_by(res, idx) {
            Ok(s) => parse_decimal(&s).map(U128).ok_or_else(|| {
                TryGetError::DbErr(sea_orm::DbErr::Type(format!("not a u128: {s:?}")))
            }),
            Err(TryGetError::Null(c)) => Err(TryGetError::Null(c)),
            Err(TryGetError::DbErr(_)) => {
                let d = BigDecimal::try_get_by(res, idx)?;
                from_big(&d).map(U128).ok_or_else(|| {
                    TryGetError::DbErr(sea_orm::DbErr::Type(format!("not a u128: {d}")))
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_values() {
        for v in [0u128, 1, 10u128.pow(22), u128::MAX] {
            let value: Value = U128(v).into();
            assert_eq!(<U128 as ValueType>::try_from(value).unwrap(), U128(v));
            let text = Value::String(Some(v.to_string()));
            assert_eq!(<U128 as ValueType>::try_from(text).unwrap(), U128(v));
        }
    }

    #[test]
    fn rejects_fractions_and_negatives() {
        let half = Value::BigDecimal(Some(Box::new(BigDecimal::from_str("1.5").unwrap())));
        assert!(<U128 as ValueType>::try_from(half).is_err());
        let neg = Value::String(Some("-1".into()));
        assert!(<U128 as ValueType>::try_from(neg).is_err());
        let scaled = BigDecimal::from_str("42.000").unwrap();
        assert_eq!(from_big(&scaled), Some(42));
    }
}
