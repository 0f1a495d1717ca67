//! Schema migrations (`mYYYYMMDD_HHMMSS_verb_noun`), each with `up` and
//! `down`. Run by the indexer at start (`bizkey-indexer migrate` to run them
//! alone, roll them back or list them).

mod m20261125_080000_create_chain_tables;
mod m20261125_080100_create_token_tables;
mod m20261125_080200_create_registry_tables;
mod m20261125_080300_create_ledger_tables;
mod m20261125_090000_create_fraud_tables;
mod m20261125_100000_create_community_tables;
mod m20261204_090000_create_api_tables;
mod m20261206_090000_create_fraud_group_tables;
mod m20261207_090000_create_funding_tables;
pub mod schema;

use sea_orm_migration::prelude::*;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_080000_create_chain_tables::Migration),
            Box::new(m20261125_080100_create_token_tables::Migration),
            Box::new(m20261125_080200_create_registry_tables::Migration),
            Box::new(m20261125_080300_create_ledger_tables::Migration),
            Box::new(m20261125_090000_create_fraud_tables::Migration),
            Box::new(m20261125_100000_create_community_tables::Migration),
            Box::new(m20261204_090000_create_api_tables::Migration),
            Box::new(m20261206_090000_create_fraud_group_tables::Migration),
            Box::new(m20261207_090000_create_funding_tables::Migration),
        ]
    }
}

/// Every table the migrations create, in creation order (for `docs/sql.md`).
pub fn tables() -> Vec<schema::Table> {
    [
        m20261125_080000_create_chain_tables::TABLES,
        m20261125_080100_create_token_tables::TABLES,
        m20261125_080200_create_registry_tables::TABLES,
        m20261125_080300_create_ledger_tables::TABLES,
        m20261125_090000_create_fraud_tables::TABLES,
        m20261125_100000_create_community_tables::TABLES,
        m20261204_090000_create_api_tables::TABLES,
        m20261206_090000_create_fraud_group_tables::TABLES,
        m20261207_090000_create_funding_tables::TABLES,
    ]
    .concat()
}

/// What a data team reads first, before the table reference.
const SQL_DOCS_INTRO: &str = include_str!("sql_intro.md");

/// `docs/sql.md`: the introduction, then every table with its columns, from
/// the same definitions the migrations create (a test keeps the file equal).
pub fn sql_docs() -> String {
    let mut md = String::from(SQL_DOCS_INTRO);
    md.push_str("\n## Tables\n\n");
    for t in tables() {
        md.push_str(&t.markdown());
        md.push('\n');
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// This checkout's crate directory, at run time: build outputs are shared
    /// between checkouts, a path fixed at compile time may be another clone's.
    fn crate_dir() -> PathBuf {
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo"))
    }

    /// A migration's name is what databases record as applied: it must stay
    /// its file's stem, whatever generates the migration's shell.
    #[test]
    fn migrations_are_named_after_their_files() {
        let mut files: Vec<String> = std::fs::read_dir(crate_dir().join("src/migration"))
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().into_string().unwrap();
                // mYYYYMMDD_HHMMSS_verb_noun.rs, not mod.rs or schema.rs
                let migration = name
                    .strip_prefix('m')
                    .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
                migration.then(|| name.trim_end_matches(".rs").to_owned())
            })
            .collect();
        files.sort();
        let names: Vec<String> = Migrator::migrations()
            .iter()
            .map(|m| m.name().to_owned())
            .collect();
        assert_eq!(names, files);
    }

    /// `src/entity/*.rs` are the migrations' tables rendered by
    /// `entity_source`; `BIZKEY_BLESS=1` rewrites them.
    #[test]
    fn entities_are_generated() {
        let dir = crate_dir().join("src/entity");
        let bless = std::env::var_os("BIZKEY_BLESS").is_some();
        let mut stale = Vec::new();
        for t in tables() {
            let path = dir.join(format!("{}.rs", t.name));
            let want = t.entity_source();
            if bless {
                std::fs::write(&path, &want).unwrap();
            } else if std::fs::read_to_string(&path).ok().as_deref() != Some(want.as_str()) {
                stale.push(t.name);
            }
        }
        assert!(
            stale.is_empty(),
            "stale entities (BIZKEY_BLESS=1 to regenerate): {stale:?}"
        );
    }

    /// `docs/sql.md` is [`sql_docs`]; `BIZKEY_BLESS=1` rewrites it.
    #[test]
    fn sql_docs_are_current() {
        let path = crate_dir().join("../docs/sql.md");
        let want = sql_docs();
        if std::env::var_os("BIZKEY_BLESS").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(&path).unwrap_or_default(),
            want,
            "BIZKEY_BLESS=1 to regenerate docs/sql.md"
        );
    }
}
