//! Who funded each account: the first native-token transfer to it, which the
//! fraud model's funding features read (bizkey-fraud `features`).

use super::schema::{col, tables_migration, Table, Ty::*};

pub const TABLES: &[Table] = &[Table {
    name: "fundings",
    doc: "Each account's first native-token transfer: the chain's first `Balances::Transfer` event that credited it, which paid the fees of its first signature (an account created at genesis has none). The fraud scorer feeds them to the feature history in chain order, before the receipts confirmed after them.",
    columns: &[
        col("account", Text, "The account funded (SS58)."),
        col("funder", Text, "The sender (SS58)."),
        col("amount", U128, "Amount in the smallest unit of the native token."),
        col("block_number", BigInt, "Block number."),
        col("event_index", BigInt, "Index in the block's `System::Events`."),
        col("timestamp", BigInt, "Block time (ms)."),
    ],
    primary_key: &["account"],
    indexes: &[&["block_number", "event_index"], &["funder"]],
}];

tables_migration!();
