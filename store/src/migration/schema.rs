//! Tables as data: each migration declares the tables it creates once, with
//! their documentation, and this module renders them as DDL for SQLite and
//! PostgreSQL and as the Markdown of `docs/sql.md`.
//!
//! PostgreSQL keeps the comments as `COMMENT ON`; SQLite has no comments, but
//! it stores each `CREATE TABLE` verbatim in `sqlite_schema`, so the comments
//! are written into that text as `--` lines, where `.schema` shows them.

use sea_orm::DbBackend;

/// A column's type, mapped per engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// `BIGINT` / `INTEGER` (i64; block numbers, ms timestamps, counters).
    BigInt,
    /// `TEXT`: names, SS58 addresses, `0x` hex hashes, enum names.
    Text,
    /// `BOOLEAN`.
    Bool,
    /// An unsigned 128-bit integer: `NUMERIC(39,0)` / decimal `TEXT`.
    U128,
    /// `JSONB` / JSON `TEXT`.
    Json,
}

impl Ty {
    fn sql(self, backend: DbBackend) -> &'static str {
        let pg = backend == DbBackend::Postgres;
        match self {
            Ty::BigInt if pg => "BIGINT",
            Ty::BigInt => "INTEGER",
            Ty::Text => "TEXT",
            Ty::Bool => "BOOLEAN",
            Ty::U128 if pg => "NUMERIC(39,0)",
            Ty::U128 => "TEXT",
            Ty::Json if pg => "JSONB",
            Ty::Json => "TEXT",
        }
    }

    fn doc(self) -> &'static str {
        match self {
            Ty::BigInt => "bigint",
            Ty::Text => "text",
            Ty::Bool => "boolean",
            Ty::U128 => "u128",
            Ty::Json => "json",
        }
    }
}

/// One column.
#[derive(Clone, Copy, Debug)]
pub struct Col {
    pub name: &'static str,
    pub ty: Ty,
    pub null: bool,
    pub doc: &'static str,
}

/// A non-null column.
pub const fn col(name: &'static str, ty: Ty, doc: &'static str) -> Col {
    Col {
        name,
        ty,
        null: false,
        doc,
    }
}

/// A nullable column.
pub const fn opt(name: &'static str, ty: Ty, doc: &'static str) -> Col {
    Col {
        name,
        ty,
        null: true,
        doc,
    }
}

/// One table.
#[derive(Clone, Copy, Debug)]
pub struct Table {
    pub name: &'static str,
    pub doc: &'static str,
    pub columns: &'static [Col],
    pub primary_key: &'static [&'static str],
    /// Secondary indexes, each a list of columns.
    pub indexes: &'static [&'static [&'static str]],
}

fn quote(s: &str) -> String {
    s.replace('\'', "''")
}

impl Table {
    /// The statements creating this table, its indexes and (PostgreSQL) its
    /// comments.
    pub fn create(&self, backend: DbBackend) -> Vec<String> {
        let sqlite = backend == DbBackend::Sqlite;
        let mut sql = format!("CREATE TABLE {} (\n", self.name);
        if sqlite {
            for line in self.doc.lines() {
                sql.push_str(&format!("  -- {line}\n"));
            }
        }
        for c in self.columns {
            let null = if c.null { "" } else { " NOT NULL" };
            sql.push_str(&format!("  {} {}{},", c.name, c.ty.sql(backend), null));
            if sqlite {
                sql.push_str(&format!(" -- {}", c.doc.replace('\n', " ")));
            }
            sql.push('\n');
        }
        sql.push_str(&format!(
            "  PRIMARY KEY ({})\n)",
            self.primary_key.join(", ")
        ));
        let mut out = vec![sql];
        for cols in self.indexes {
            out.push(format!(
                "CREATE INDEX {}_{}_idx ON {} ({})",
                self.name,
                cols.join("_"),
                self.name,
                cols.join(", ")
            ));
        }
        if !sqlite {
            out.push(format!(
                "COMMENT ON TABLE {} IS '{}'",
                self.name,
                quote(self.doc)
            ));
            for c in self.columns {
                out.push(format!(
                    "COMMENT ON COLUMN {}.{} IS '{}'",
                    self.name,
                    c.name,
                    quote(c.doc)
                ));
            }
        }
        out
    }

    /// The statement dropping this table (and its indexes with it).
    pub fn drop(&self) -> String {
        format!("DROP TABLE IF EXISTS {}", self.name)
    }

    /// The table's section of `docs/sql.md`.
    pub fn markdown(&self) -> String {
        let mut md = format!("### `{}`\n\n{}\n\n", self.name, self.doc);
        md.push_str(&format!("Primary key: `({})`", self.primary_key.join(", ")));
        if !self.indexes.is_empty() {
            let idx: Vec<String> = self
                .indexes
                .iter()
                .map(|c| format!("`({})`", c.join(", ")))
                .collect();
            md.push_str(&format!("; indexes: {}", idx.join(", ")));
        }
        md.push_str(".\n\n| column | type | null | meaning |\n| --- | --- | --- | --- |\n");
        for c in self.columns {
            md.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                c.name,
                c.ty.doc(),
                if c.null { "yes" } else { "" },
                c.doc.replace('|', "\\|").replace('\n', " ")
            ));
        }
        md
    }
}

impl Ty {
    fn rust(self) -> &'static str {
        match self {
            Ty::BigInt => "i64",
            Ty::Text => "String",
            Ty::Bool => "bool",
            Ty::U128 => "U128",
            Ty::Json => "Json",
        }
    }
}

impl Table {
    /// The sea-orm entity of this table: `src/entity/<name>.rs` is exactly
    /// this text (a unit test keeps them equal), so the entities are
    /// generated from the migrations and never edited by hand.
    pub fn entity_source(&self) -> String {
        let mut s = String::from(
            "//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.\n\
             //! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.\n//!\n",
        );
        for line in self.doc.lines() {
            s.push_str(&format!("//! {line}\n"));
        }
        s.push('\n');
        if self.columns.iter().any(|c| c.ty == Ty::U128) {
            s.push_str("use crate::amount::U128;\n");
        }
        s.push_str("use sea_orm::entity::prelude::*;\n\n");
        s.push_str("#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]\n");
        s.push_str(&format!(
            "#[sea_orm(table_name = \"{}\")]\npub struct Model {{\n",
            self.name
        ));
        for c in self.columns {
            s.push_str(&format!("    /// {}\n", c.doc.replace('\n', " ")));
            let mut attrs = Vec::new();
            if self.primary_key.contains(&c.name) {
                attrs.push("primary_key, auto_increment = false".to_owned());
            }
            match c.ty {
                Ty::U128 => attrs.push("column_type = \"Decimal(Some((39, 0)))\"".to_owned()),
                Ty::Json => attrs.push("column_type = \"Json\"".to_owned()),
                _ => {}
            }
            if c.null {
                attrs.push("nullable".to_owned());
            }
            if !attrs.is_empty() {
                s.push_str(&format!("    #[sea_orm({})]\n", attrs.join(", ")));
            }
            let ty = if c.null {
                format!("Option<{}>", c.ty.rust())
            } else {
                c.ty.rust().to_owned()
            };
            s.push_str(&format!("    pub {}: {},\n", c.name, ty));
        }
        s.push_str("}\n\n#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]\npub enum Relation {}\n\n");
        s.push_str("impl ActiveModelBehavior for ActiveModel {}\n");
        s
    }
}

/// Runs a list of raw statements through the migration's connection.
pub async fn execute_all(
    manager: &sea_orm_migration::SchemaManager<'_>,
    statements: Vec<String>,
) -> Result<(), sea_orm::DbErr> {
    use sea_orm::ConnectionTrait;
    let db = manager.get_connection();
    for s in statements {
        db.execute_unprepared(&s).await?;
    }
    Ok(())
}

/// A migration that only creates the module's `TABLES` (`up`) and drops
/// them (`down`); its name is its file's stem, as sea-orm's
/// `DeriveMigrationName` gives it.
macro_rules! tables_migration {
    () => {
        #[derive(sea_orm_migration::prelude::DeriveMigrationName)]
        pub struct Migration;

        #[async_trait::async_trait]
        impl sea_orm_migration::MigrationTrait for Migration {
            async fn up(
                &self,
                manager: &sea_orm_migration::SchemaManager,
            ) -> Result<(), sea_orm::DbErr> {
                super::schema::create_tables(manager, TABLES).await
            }

            async fn down(
                &self,
                manager: &sea_orm_migration::SchemaManager,
            ) -> Result<(), sea_orm::DbErr> {
                super::schema::drop_tables(manager, TABLES).await
            }
        }
    };
}
pub(crate) use tables_migration;

/// `up` of a migration that only creates `tables`.
pub async fn create_tables(
    manager: &sea_orm_migration::SchemaManager<'_>,
    tables: &[Table],
) -> Result<(), sea_orm::DbErr> {
    let backend = manager.get_database_backend();
    execute_all(
        manager,
        tables.iter().flat_map(|t| t.create(backend)).collect(),
    )
    .await
}

/// `down` of a migration that only creates `tables`.
pub async fn drop_tables(
    manager: &sea_orm_migration::SchemaManager<'_>,
    tables: &[Table],
) -> Result<(), sea_orm::DbErr> {
    execute_all(manager, tables.iter().rev().map(Table::drop).collect()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Table = Table {
        name: "t",
        doc: "A table.\nIt's documented.",
        columns: &[col("a", Ty::BigInt, "key"), opt("b", Ty::U128, "it's big")],
        primary_key: &["a"],
        indexes: &[&["b"]],
    };

    #[test]
    fn sqlite_keeps_comments_in_the_create_text() {
        let s = T.create(DbBackend::Sqlite);
        assert_eq!(s.len(), 2);
        assert!(s[0].contains("  -- It's documented.\n"));
        assert!(s[0].contains("b TEXT, -- it's big"));
        assert!(s[0].contains("a INTEGER NOT NULL,"));
        assert_eq!(s[1], "CREATE INDEX t_b_idx ON t (b)");
    }

    #[test]
    fn postgres_gets_comment_statements_with_quotes_escaped() {
        let s = T.create(DbBackend::Postgres);
        assert!(s[0].contains("b NUMERIC(39,0),"));
        assert!(s.contains(&"COMMENT ON COLUMN t.b IS 'it''s big'".to_owned()));
        assert!(s.contains(&"COMMENT ON TABLE t IS 'A table.\nIt''s documented.'".to_owned()));
    }
}
