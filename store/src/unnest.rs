//! PostgreSQL's bulk upsert: one `INSERT … SELECT * FROM UNNEST($1::int8[],
//! $2::text[], …) ON CONFLICT (key) DO UPDATE` per table and up to
//! [`ROWS_PER_STATEMENT`] rows, one array parameter per column.
//!
//! sea-orm's multi-row `INSERT … VALUES` binds every value of every row (500
//! rows of 30 columns are 15,000 parameters), and PostgreSQL parses and plans
//! that statement anew for each chunk, whose text changes with the row count.
//! Here the statement has one parameter per column and the same text for every
//! batch, so the server prepares it once per connection.
//!
//! Each array is sent as its text literal (`{1,NULL,3}`, elements quoted where
//! needed) and cast to the column's array type in the statement: sea-query binds
//! `Value::Array` only without NULL elements, and nullable columns need them.
//! The element types come from the entity's column definitions
//! ([`array_type`]); an entity with a column type not handled there, or rows
//! with a column left unset, take the multi-row path instead (`repo::upsert`).

use sea_orm::sea_query::ColumnType;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, IdenStatic,
    Iterable, PrimaryKeyToColumn, Statement, Value,
};
use std::collections::HashMap;
use std::fmt::Write as _;

/// Rows per statement: a batch's rows of one table are usually one statement
/// (a 256-block batch of the bench chain holds ~3,000 events), while the
/// array literals of a 50,000-event batch stay a few MB each.
pub(crate) const ROWS_PER_STATEMENT: usize = 5_000;

/// How a column's values are written into its array literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Int,
    Text,
    Bool,
    Numeric,
    Json,
}

/// The PostgreSQL array type a column's values are cast to, from the
/// entity's column type (`None`: not handled here).
fn array_type(ty: &ColumnType) -> Option<(Kind, &'static str)> {
    Some(match ty {
        ColumnType::BigInteger => (Kind::Int, "int8[]"),
        ColumnType::Integer => (Kind::Int, "int4[]"),
        ColumnType::SmallInteger => (Kind::Int, "int2[]"),
        ColumnType::String(_) | ColumnType::Text => (Kind::Text, "text[]"),
        ColumnType::Boolean => (Kind::Bool, "bool[]"),
        ColumnType::Decimal(_) => (Kind::Numeric, "numeric[]"),
        ColumnType::Json => (Kind::Json, "json[]"),
        ColumnType::JsonBinary => (Kind::Json, "jsonb[]"),
        _ => return None,
    })
}

/// A quoted array element: within double quotes only `"` and `\` are special,
/// so any string (commas, braces, blanks, the word NULL) reads back as itself.
fn push_quoted(out: &mut String, s: &str) {
    out.push('"');
    let mut rest = s;
    while let Some(i) = rest.find(['"', '\\']) {
        out.push_str(&rest[..i]);
        out.push('\\');
        out.push_str(&rest[i..=i]);
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
    out.push('"');
}

/// Appends `value` to an array literal as an element of `kind`; a value of
/// another type is an error, as binding it to the column would be.
fn push_element(out: &mut String, kind: Kind, value: &Value) -> Result<(), DbErr> {
    // `write!` into a String cannot fail.
    match (kind, value) {
        (Kind::Int, Value::BigInt(Some(v))) => _ = write!(out, "{v}"),
        (Kind::Int, Value::Int(Some(v))) => _ = write!(out, "{v}"),
        (Kind::Int, Value::SmallInt(Some(v))) => _ = write!(out, "{v}"),
        (Kind::Text, Value::String(Some(s))) => push_quoted(out, s),
        (Kind::Bool, Value::Bool(Some(b))) => out.push(if *b { 't' } else { 'f' }),
        // Digits, a sign, a point or an exponent: nothing to quote.
        (Kind::Numeric, Value::BigDecimal(Some(d))) => _ = write!(out, "{d}"),
        // Serialised JSON, quoted: a JSON `null` stays a JSON value, unlike
        // the SQL NULL of `None`.
        (Kind::Json, Value::Json(Some(j))) => push_quoted(out, &j.to_string()),
        (
            _,
            Value::BigInt(None)
            | Value::Int(None)
            | Value::SmallInt(None)
            | Value::String(None)
            | Value::Bool(None)
            | Value::BigDecimal(None)
            | Value::Json(None),
        ) => out.push_str("NULL"),
        _ => {
            return Err(DbErr::Type(format!(
                "a {kind:?} column cannot hold {value:?}"
            )))
        }
    }
    Ok(())
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The statement for entity `E`, with each column's element kind; `None`
/// when a column type is not handled here.
fn statement_for<E: EntityTrait>() -> Option<(String, Vec<(E::Column, Kind)>)> {
    let mut columns = Vec::new();
    let mut casts = Vec::new();
    for (i, c) in E::Column::iter().enumerate() {
        let (kind, ty) = array_type(c.def().get_column_type())?;
        columns.push((c, kind));
        casts.push(format!("${}::{ty}", i + 1));
    }
    let pk: Vec<&str> = <E::PrimaryKey as Iterable>::iter()
        .map(|k| k.into_column().as_str())
        .collect();
    let names: Vec<String> = columns
        .iter()
        .map(|(c, _)| quote_ident(c.as_str()))
        .collect();
    let update: Vec<String> = columns
        .iter()
        .map(|(c, _)| c.as_str())
        .filter(|c| !pk.contains(c))
        .map(|c| format!("{0} = EXCLUDED.{0}", quote_ident(c)))
        .collect();
    let entity = E::default();
    let table = match entity.schema_name() {
        Some(schema) => format!(
            "{}.{}",
            quote_ident(schema),
            quote_ident(entity.table_name())
        ),
        None => quote_ident(entity.table_name()),
    };
    let target: Vec<String> = pk.iter().map(|c| quote_ident(c)).collect();
    let action = if update.is_empty() {
        // Every column is in the key: an existing row already holds the values.
        "DO NOTHING".to_owned()
    } else {
        format!("DO UPDATE SET {}", update.join(", "))
    };
    let sql = format!(
        "INSERT INTO {table} ({}) SELECT * FROM UNNEST({}) ON CONFLICT ({}) {action}",
        names.join(", "),
        casts.join(", "),
        target.join(", "),
    );
    Some((sql, columns))
}

/// Upserts `rows` on PostgreSQL through [`UNNEST`](self); gives the rows back
/// (`Err(rows)`, nothing written) when the entity or the rows need the
/// multi-row path.
///
/// Rows sharing a key are reduced to the last of them first: PostgreSQL
/// refuses to update a row twice in one statement, and applying them one
/// after another would leave the last one's values anyway.
pub(crate) async fn upsert<A, C>(db: &C, rows: Vec<A>) -> Result<Result<(), Vec<A>>, DbErr>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    debug_assert_eq!(db.get_database_backend(), DbBackend::Postgres);
    let Some((sql, columns)) = statement_for::<A::Entity>() else {
        return Ok(Err(rows));
    };
    if rows
        .iter()
        .any(|row| columns.iter().any(|(c, _)| row.is_not_set(*c)))
    {
        return Ok(Err(rows));
    }
    let pk: Vec<(<A::Entity as EntityTrait>::Column, Kind)> =
        <<A::Entity as EntityTrait>::PrimaryKey as Iterable>::iter()
            .map(|k| k.into_column())
            .filter_map(|k| {
                columns
                    .iter()
                    .find(|(c, _)| c.as_str() == k.as_str())
                    .copied()
            })
            .collect();
    let rows = last_per_key(rows, &pk)?;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut arrays: Vec<String> = columns.iter().map(|_| String::from("{")).collect();
        for (n, mut row) in rows.by_ref().take(ROWS_PER_STATEMENT).enumerate() {
            for ((c, kind), array) in columns.iter().zip(&mut arrays) {
                if n > 0 {
                    array.push(',');
                }
                // Checked above: every column is set.
                let value = row.take(*c).into_value().unwrap_or(Value::String(None));
                push_element(array, *kind, &value)?;
            }
        }
        let values: Vec<Value> = arrays
            .into_iter()
            .map(|mut a| {
                a.push('}');
                Value::String(Some(a))
            })
            .collect();
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql.as_str(),
            values,
        ))
        .await?;
    }
    Ok(Ok(()))
}

/// `rows` without those a later row with the same key replaces, in order.
fn last_per_key<A: ActiveModelTrait>(
    rows: Vec<A>,
    pk: &[(<A::Entity as EntityTrait>::Column, Kind)],
) -> Result<Vec<A>, DbErr> {
    if rows.len() < 2 {
        return Ok(rows);
    }
    // A key's elements as they appear in the literals, comma-separated:
    // quoted elements keep the encoding unambiguous.
    let mut keys = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut key = String::new();
        for (c, kind) in pk {
            let value = row.get(*c).into_value().unwrap_or(Value::String(None));
            push_element(&mut key, *kind, &value)?;
            key.push(',');
        }
        keys.push(key);
    }
    let mut last: HashMap<&str, usize> = HashMap::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        last.insert(key.as_str(), i);
    }
    if last.len() == rows.len() {
        return Ok(rows);
    }
    let keep: Vec<bool> = keys
        .iter()
        .enumerate()
        .map(|(i, key)| last[key.as_str()] == i)
        .collect();
    Ok(rows
        .into_iter()
        .zip(keep)
        .filter_map(|(row, keep)| keep.then_some(row))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn element(kind: Kind, value: Value) -> String {
        let mut out = String::new();
        push_element(&mut out, kind, &value).unwrap();
        out
    }

    #[test]
    fn elements_are_quoted_where_the_literal_needs_it() {
        assert_eq!(element(Kind::Int, Value::BigInt(Some(-42))), "-42");
        assert_eq!(element(Kind::Bool, Value::Bool(Some(true))), "t");
        assert_eq!(
            element(Kind::Text, Value::String(Some(String::new()))),
            "\"\""
        );
        assert_eq!(
            element(
                Kind::Text,
                Value::String(Some(r#"a "b" \c, {NULL}"#.into()))
            ),
            r#""a \"b\" \\c, {NULL}""#
        );
        assert_eq!(element(Kind::Text, Value::String(None)), "NULL");
        assert_eq!(
            element(
                Kind::Json,
                Value::Json(Some(Box::new(serde_json::json!({"k": "v\""}))))
            ),
            r#""{\"k\":\"v\\\"\"}""#
        );
        assert_eq!(
            element(
                Kind::Json,
                Value::Json(Some(Box::new(serde_json::Value::Null)))
            ),
            "\"null\""
        );
        let big = crate::amount::U128(u128::MAX);
        assert_eq!(element(Kind::Numeric, big.into()), u128::MAX.to_string());
    }

    /// The entities' columns map to the migrations' types (`Ty`: bigint,
    /// text, boolean, u128, json), so every table takes this path.
    #[test]
    fn the_statement_casts_each_column_to_its_array_type() {
        use crate::entity::{events, receipts};
        let (sql, _) = statement_for::<events::Entity>().unwrap();
        assert_eq!(
            sql,
            "INSERT INTO \"events\" (\"block_number\", \"event_index\", \"extrinsic_index\", \
             \"contract\", \"contract_kind\", \"name\", \"data\", \"raw\") SELECT * FROM \
             UNNEST($1::int8[], $2::int8[], $3::int8[], $4::text[], $5::text[], $6::text[], \
             $7::json[], $8::text[]) ON CONFLICT (\"block_number\", \"event_index\") DO UPDATE \
             SET \"extrinsic_index\" = EXCLUDED.\"extrinsic_index\", \"contract\" = \
             EXCLUDED.\"contract\", \"contract_kind\" = EXCLUDED.\"contract_kind\", \"name\" = \
             EXCLUDED.\"name\", \"data\" = EXCLUDED.\"data\", \"raw\" = EXCLUDED.\"raw\""
        );
        let (sql, columns) = statement_for::<receipts::Entity>().unwrap();
        assert_eq!(columns.len(), 29);
        assert!(sql.contains("$5::numeric[]") && sql.contains("$19::bool[]"));
    }

    #[test]
    fn a_value_of_another_type_is_an_error() {
        let mut out = String::new();
        let err = push_element(&mut out, Kind::Int, &Value::String(Some("1".into())));
        assert!(matches!(err, Err(DbErr::Type(_))));
    }
}
