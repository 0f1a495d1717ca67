//! Filter inputs: `eq, ne, in, gt, gte, lt, lte` per column type, combined
//! with `and` / `or` lists by each list's own filter type.

use crate::error::{ApiError, ApiResult};
use crate::scalar::Amount;
use async_graphql::InputObject;
use bizkey_store::amount::U128;
use sea_orm::sea_query::{BinOper, Expr, ExprTrait, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, DbBackend, Value};

/// Most values in one `in` list, and most levels of nested `and`/`or`.
pub const MAX_IN: usize = 100;
pub const MAX_NESTING: usize = 4;

fn check_in<T>(v: &Option<Vec<T>>) -> ApiResult<()> {
    match v {
        Some(v) if v.len() > MAX_IN => Err(ApiError::BadInput(format!(
            "`in` takes at most {MAX_IN} values, got {}",
            v.len()
        ))),
        _ => Ok(()),
    }
}

/// Conditions of the equality operators on `col`.
pub(crate) fn equality<V: Into<Value> + Clone>(
    col: impl ColumnTrait,
    eq: &Option<V>,
    ne: &Option<V>,
    in_: &Option<Vec<V>>,
) -> ApiResult<Condition> {
    check_in(in_)?;
    let mut c = Condition::all();
    if let Some(v) = eq {
        c = c.add(col.eq(v.clone()));
    }
    if let Some(v) = ne {
        c = c.add(col.ne(v.clone()));
    }
    if let Some(v) = in_ {
        c = c.add(col.is_in(v.iter().cloned()));
    }
    Ok(c)
}

/// An integer column (ids, times in ms, block numbers, counts).
#[derive(InputObject, Clone, Debug, Default)]
pub struct IntFilter {
    pub eq: Option<i64>,
    pub ne: Option<i64>,
    #[graphql(name = "in")]
    pub in_: Option<Vec<i64>>,
    pub gt: Option<i64>,
    pub gte: Option<i64>,
    pub lt: Option<i64>,
    pub lte: Option<i64>,
}

impl IntFilter {
    pub fn condition(&self, col: impl ColumnTrait) -> ApiResult<Condition> {
        let mut c = equality(col, &self.eq, &self.ne, &self.in_)?;
        for (v, f) in [
            (self.gt, ColumnTrait::gt as fn(_, i64) -> SimpleExpr),
            (self.gte, ColumnTrait::gte),
            (self.lt, ColumnTrait::lt),
            (self.lte, ColumnTrait::lte),
        ] {
            if let Some(v) = v {
                c = c.add(f(&col, v));
            }
        }
        Ok(c)
    }
}

/// A text column.
#[derive(InputObject, Clone, Debug, Default)]
pub struct StringFilter {
    pub eq: Option<String>,
    pub ne: Option<String>,
    #[graphql(name = "in")]
    pub in_: Option<Vec<String>>,
}

impl StringFilter {
    pub fn condition(&self, col: impl ColumnTrait) -> ApiResult<Condition> {
        equality(col, &self.eq, &self.ne, &self.in_)
    }
}

/// An account column (SS58 addresses).
#[derive(InputObject, Clone, Debug, Default)]
pub struct AccountFilter {
    pub eq: Option<String>,
    pub ne: Option<String>,
    #[graphql(name = "in")]
    pub in_: Option<Vec<String>>,
}

impl AccountFilter {
    pub fn condition(&self, col: impl ColumnTrait) -> ApiResult<Condition> {
        for a in self
            .eq
            .iter()
            .chain(&self.ne)
            .chain(self.in_.iter().flatten())
        {
            check_account(a)?;
        }
        equality(col, &self.eq, &self.ne, &self.in_)
    }
}

/// Which bytes are base58 digits: a table, since every account of a
/// filter's `in` list (up to [`MAX_IN`]) is checked on every request.
const BASE58: [bool; 256] = {
    let digits = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut t = [false; 256];
    let mut i = 0;
    while i < digits.len() {
        t[digits[i] as usize] = true;
        i += 1;
    }
    t
};

/// Refuses what cannot be an SS58 address (base58, 46–48 characters), so a
/// typo is an error rather than an empty list.
///
/// # Errors
/// [`ApiError::BadAccount`].
pub fn check_account(a: &str) -> ApiResult<()> {
    if (46..=48).contains(&a.len()) && a.bytes().all(|b| BASE58[usize::from(b)]) {
        Ok(())
    } else {
        Err(ApiError::BadAccount(a.to_owned()))
    }
}

/// A `u128` column (token amounts, sale amounts in cents).
///
/// PostgreSQL compares `NUMERIC` values; SQLite keeps them as canonical
/// decimal text, where a longer string is a larger number and strings of
/// one length compare as numbers do.
#[derive(InputObject, Clone, Debug, Default)]
pub struct AmountFilter {
    pub eq: Option<Amount>,
    pub ne: Option<Amount>,
    #[graphql(name = "in")]
    pub in_: Option<Vec<Amount>>,
    pub gt: Option<Amount>,
    pub gte: Option<Amount>,
    pub lt: Option<Amount>,
    pub lte: Option<Amount>,
}

impl AmountFilter {
    pub fn condition(&self, col: impl ColumnTrait, backend: DbBackend) -> ApiResult<Condition> {
        let u = |v: &Option<Amount>| v.map(U128::from);
        let in_ = self
            .in_
            .as_ref()
            .map(|v| v.iter().copied().map(U128::from).collect::<Vec<_>>());
        let mut c = equality(col, &u(&self.eq), &u(&self.ne), &in_)?;
        for (v, op) in [
            (self.gt, ">"),
            (self.gte, ">="),
            (self.lt, "<"),
            (self.lte, "<="),
        ] {
            let Some(Amount(v)) = v else { continue };
            c = c.add(if backend == DbBackend::Sqlite {
                let name = col.as_str();
                let digits = v.to_string();
                let len = digits.len() as i64;
                let longer = if op.starts_with('>') { ">" } else { "<" };
                Expr::cust_with_values(
                    format!(
                        "(LENGTH(\"{name}\") {longer} ? OR (LENGTH(\"{name}\") = ? AND \"{name}\" {op} ?))"
                    ),
                    [Value::from(len), Value::from(len), Value::from(digits)],
                )
            } else {
                Expr::col(col).binary(
                    match op {
                        ">" => BinOper::GreaterThan,
                        ">=" => BinOper::GreaterThanOrEqual,
                        "<" => BinOper::SmallerThan,
                        _ => BinOper::SmallerThanOrEqual,
                    },
                    Value::from(U128(v)),
                )
            });
        }
        Ok(c)
    }
}

/// A filter input for an enum column, by the enum's column form.
macro_rules! enum_filter {
    ($name:ident, $gql:ty, $remote:ty) => {
        #[doc = concat!("A `", stringify!($gql), "` column.")]
        #[derive(async_graphql::InputObject, Clone, Debug, Default)]
        pub struct $name {
            pub eq: Option<$gql>,
            pub ne: Option<$gql>,
            #[graphql(name = "in")]
            pub in_: Option<Vec<$gql>>,
        }

        impl $name {
            pub fn condition(
                &self,
                col: impl sea_orm::ColumnTrait,
            ) -> $crate::error::ApiResult<sea_orm::Condition> {
                let t = |v: &Option<$gql>| v.map(|v| $crate::enums::text::<$remote, _>(v));
                let in_ = self.in_.as_ref().map(|v| {
                    v.iter()
                        .map(|v| $crate::enums::text::<$remote, _>(*v))
                        .collect::<Vec<_>>()
                });
                $crate::filter::equality(col, &t(&self.eq), &t(&self.ne), &in_)
            }
        }
    };
}
pub(crate) use enum_filter;

/// The given conditions, all of them: a filter's fields, each `None` when
/// the client left it out.
///
/// # Errors
/// The first part's error.
pub fn all_of(
    parts: impl IntoIterator<Item = Option<ApiResult<Condition>>>,
) -> ApiResult<Condition> {
    parts
        .into_iter()
        .flatten()
        .try_fold(Condition::all(), |c, part| Ok(c.add(part?)))
}

/// Combines a filter's own conditions with its `and` / `or` lists.
///
/// # Errors
/// Nesting deeper than [`MAX_NESTING`], or the parts' errors.
pub fn combine<F>(
    own: Condition,
    and: Option<&[F]>,
    or: Option<&[F]>,
    depth: usize,
    part: impl Fn(&F, usize) -> ApiResult<Condition>,
) -> ApiResult<Condition> {
    if depth > MAX_NESTING {
        return Err(ApiError::BadInput(format!(
            "filters nest at most {MAX_NESTING} levels of and/or"
        )));
    }
    let mut c = own;
    if let Some(all) = and {
        for f in all {
            c = c.add(part(f, depth + 1)?);
        }
    }
    if let Some(any) = or {
        if !any.is_empty() {
            let mut alt = Condition::any();
            for f in any {
                alt = alt.add(part(f, depth + 1)?);
            }
            c = c.add(alt);
        }
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_checked() {
        assert!(check_account("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY").is_ok());
        assert!(check_account("alice").is_err());
        assert!(check_account("0GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY").is_err());
        // The four letters base58 leaves out, and bytes past ASCII.
        for bad in ["O", "I", "l", "é", " "] {
            let a = format!("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKut{bad}");
            assert!(check_account(&a).is_err(), "{a}");
        }
        let every_digit = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        assert!(check_account(&every_digit[..48]).is_ok());
        assert!(check_account(&every_digit[10..]).is_ok());
    }

    #[test]
    fn in_lists_are_capped() {
        let f = IntFilter {
            in_: Some((0..101).collect()),
            ..Default::default()
        };
        assert!(f
            .condition(bizkey_store::entity::receipts::Column::Id)
            .is_err());
    }
}
