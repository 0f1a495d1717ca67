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
use sea_orm::sqlx::postgres::{PgRow, PgValueFormat};
use sea_orm::sqlx::{Row, TypeInfo, ValueRef};
use sea_orm::{ColIdx, DbErr, QueryResult, TryGetError, TryGetable, Value};
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
        // PostgreSQL: NUMERIC, decoded from its binary wire form. Asking
        // sqlx for a `String` first (the SQLite form) would fail with a
        // formatted type-mismatch error for every amount of every row, and
        // `BigDecimal` goes through a big integer and its decimal text.
        if let Some(row) = res.try_as_pg_row() {
            return pg_numeric(row, idx);
        }
        // SQLite: the canonical decimal TEXT.
        let s = String::try_get_by(res, idx)?;
        parse_decimal(&s)
            .map(U128)
            .ok_or_else(|| TryGetError::DbErr(DbErr::Type(format!("not a u128: {s:?}"))))
    }
}

fn pg_numeric<I: ColIdx>(row: &PgRow, idx: I) -> Result<U128, TryGetError> {
    let raw = row
        .try_get_raw(idx.as_sqlx_postgres_index())
        .map_err(|e| TryGetError::DbErr(DbErr::Type(e.to_string())))?;
    if raw.is_null() {
        return Err(TryGetError::Null(format!("{idx:?}")));
    }
    let numeric = raw.type_info().name() == "NUMERIC";
    let value = match raw.format() {
        PgValueFormat::Binary if numeric => raw.as_bytes().ok().and_then(numeric_u128),
        // Text results (not what sqlx asks for, but valid) and TEXT columns.
        _ => raw.as_str().ok().and_then(parse_decimal),
    };
    value.map(U128).ok_or_else(|| {
        let ty = raw.type_info().name().to_owned();
        TryGetError::DbErr(DbErr::Type(format!("not a u128: {ty} {idx:?}")))
    })
}

/// A non-negative integral NUMERIC in PostgreSQL's binary form (digit
/// count u16, weight i16, sign u16, display scale u16, then base-10000
/// digits i16, most significant first, trailing zero digits left out) as a
/// `u128`; `None` for negatives, NaN, infinities, fractions and overflow.
fn numeric_u128(buf: &[u8]) -> Option<u128> {
    let word = |i: usize| buf.get(i..i + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    let ndigits = usize::from(word(0)?);
    let weight = i32::from(word(2)? as i16);
    let sign = word(4)?;
    if sign != 0 || buf.len() != 8 + 2 * ndigits {
        return None;
    }
    let mut v: u128 = 0;
    for i in 0..ndigits {
        let d = word(8 + 2 * i)?;
        if d >= 10_000 {
            return None;
        }
        if i as i32 > weight {
            // A digit after the decimal point.
            if d != 0 {
                return None;
            }
            continue;
        }
        v = v.checked_mul(10_000)?.checked_add(u128::from(d))?;
    }
    // Powers of 10,000 below the last stored digit.
    if v != 0 {
        for _ in ndigits as i32..=weight {
            v = v.checked_mul(10_000)?;
        }
    }
    Some(v)
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

    /// PostgreSQL's binary NUMERIC of `digits` (base 10,000, most
    /// significant first) times 10,000^(`weight` + 1 − `digits.len()`).
    fn numeric(weight: i16, sign: u16, scale: u16, digits: &[u16]) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend((digits.len() as u16).to_be_bytes());
        b.extend(weight.to_be_bytes());
        b.extend(sign.to_be_bytes());
        b.extend(scale.to_be_bytes());
        for d in digits {
            b.extend(d.to_be_bytes());
        }
        b
    }

    #[test]
    fn decodes_postgres_binary_numerics() {
        assert_eq!(numeric_u128(&numeric(0, 0, 0, &[])), Some(0));
        assert_eq!(numeric_u128(&numeric(0, 0, 0, &[9_999])), Some(9_999));
        // 10,000: one digit of weight 1, the zero digit below left out.
        assert_eq!(numeric_u128(&numeric(1, 0, 0, &[1])), Some(10_000));
        assert_eq!(numeric_u128(&numeric(1, 0, 0, &[1, 1])), Some(10_001));
        assert_eq!(numeric_u128(&numeric(2, 0, 0, &[5])), Some(500_000_000));
        assert_eq!(
            numeric_u128(&numeric(2, 0, 0, &[1234, 0, 5678])),
            Some(123_400_005_678)
        );
        // 42.000 and 42.0 (a display scale, zero fraction digits) are 42.
        assert_eq!(numeric_u128(&numeric(0, 0, 3, &[42])), Some(42));
        assert_eq!(numeric_u128(&numeric(0, 0, 1, &[42, 0])), Some(42));
        // u128::MAX, grouped by four decimal digits from the right.
        let s = u128::MAX.to_string();
        let pad = (4 - s.len() % 4) % 4;
        let padded = format!("{}{s}", "0".repeat(pad));
        let groups: Vec<u16> = padded
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap().parse().unwrap())
            .collect();
        let w = groups.len() as i16 - 1;
        assert_eq!(numeric_u128(&numeric(w, 0, 0, &groups)), Some(u128::MAX));
        // One more base-10,000 digit overflows.
        assert_eq!(numeric_u128(&numeric(w + 1, 0, 0, &groups)), None);
        // Negatives, NaN, fractions, bad digits, short buffers.
        assert_eq!(numeric_u128(&numeric(0, 0x4000, 0, &[1])), None);
        assert_eq!(numeric_u128(&numeric(0, 0xC000, 0, &[])), None);
        assert_eq!(numeric_u128(&numeric(-1, 0, 4, &[5_000])), None);
        assert_eq!(numeric_u128(&numeric(0, 0, 4, &[1, 5_000])), None);
        assert_eq!(numeric_u128(&numeric(0, 0, 0, &[10_000])), None);
        assert_eq!(numeric_u128(&numeric(1, 0, 0, &[1, 2])[..10]), None);
        assert_eq!(numeric_u128(&[0, 0, 0]), None);
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
