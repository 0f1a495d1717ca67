//! Both PSP22 tokens (BT and TT) and the suite's privileged roles.

use super::schema::{col, opt, tables_migration, Table, Ty::*};

pub const TABLES: &[Table] = &[
    Table {
        name: "token_balances",
        doc: "Current balance of every account that ever held a token, from the tokens' Transfer events. For each token, the sum equals `token_supply.total_supply`.",
        columns: &[
            col("token", Text, "biz (Bizkey token, BT) or time (Time token, TT)."),
            col("account", Text, "Holder (SS58)."),
            col("balance", U128, "Balance in the smallest unit (12 decimals)."),
            col("updated_block", BigInt, "Block of the last change."),
        ],
        primary_key: &["token", "account"],
        indexes: &[&["account"]],
    },
    Table {
        name: "token_supply",
        doc: "Total supply per token: mints minus burns.",
        columns: &[
            col("token", Text, "biz or time."),
            col("total_supply", U128, "Total supply in the smallest unit."),
            col("updated_block", BigInt, "Block of the last mint or burn."),
        ],
        primary_key: &["token"],
        indexes: &[],
    },
    Table {
        name: "token_transfers",
        doc: "Every PSP22 Transfer event. `from_account` NULL is a mint, `to_account` NULL a burn.",
        columns: &[
            col("block_number", BigInt, "Block number."),
            col("event_index", BigInt, "Index in the block's events (joins `events`)."),
            col("token", Text, "biz or time."),
            opt("from_account", Text, "Sender (SS58); NULL for a mint."),
            opt("to_account", Text, "Recipient (SS58); NULL for a burn."),
            col("value", U128, "Amount in the smallest unit."),
            col("timestamp", BigInt, "Block time (ms)."),
        ],
        primary_key: &["block_number", "event_index"],
        indexes: &[&["token", "from_account"], &["token", "to_account"]],
    },
    Table {
        name: "token_allowances",
        doc: "Current PSP22 allowances, from the Approval events.",
        columns: &[
            col("token", Text, "biz or time."),
            col("owner", Text, "Owner (SS58)."),
            col("spender", Text, "Spender (SS58)."),
            col("amount", U128, "What the spender may still move."),
            col("updated_block", BigInt, "Block of the last change."),
        ],
        primary_key: &["token", "owner", "spender"],
        indexes: &[],
    },
    Table {
        name: "roles",
        doc: "Current holder of each privileged role of each contract (RoleChanged events).",
        columns: &[
            col("contract", Text, "Contract (SS58)."),
            col("role", Text, "Admin, Governance, Ledger, Reporter, Registry or SuperNodes."),
            opt("account", Text, "Holder (SS58); NULL when vacant."),
            col("updated_block", BigInt, "Block of the last change."),
        ],
        primary_key: &["contract", "role"],
        indexes: &[],
    },
];

tables_migration!();
