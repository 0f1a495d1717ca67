//! The chain itself: the cursor, blocks, raw events, the suite's contracts and
//! every account seen.

use super::schema::{col, opt, tables_migration, Table, Ty::*};

pub const TABLES: &[Table] = &[
    Table {
        name: "chain_meta",
        doc: "The indexer's checkpoint: which chain this database belongs to and how far it got. One row (id = 1), updated in the same transaction as each batch of blocks.",
        columns: &[
            col("id", BigInt, "Always 1."),
            col("genesis_hash", Text, "Genesis block hash (0x hex) of the chain this database indexes; the indexer refuses to run against another chain."),
            col("start_block", BigInt, "First block indexed (the manifest's deployment block)."),
            col("indexed_height", BigInt, "Highest finalized block fully applied (everything up to it, nothing after it)."),
            col("indexed_hash", Text, "Hash of `indexed_height`; the next block's parent must match it."),
            col("unknown_events", BigInt, "ContractEmitted events of contracts outside the suite, skipped so far."),
            col("undecodable_events", BigInt, "Events of suite contracts that no known event type decodes (stored in `events` with `name` NULL)."),
        ],
        primary_key: &["id"],
        indexes: &[],
    },
    Table {
        name: "contracts",
        doc: "The Bizkey contracts this database follows (from the deployment manifest).",
        columns: &[
            col("address", Text, "Contract account (SS58, prefix 42)."),
            col("kind", Text, "biz_token, time_token, registry, ledger, vesting, …"),
        ],
        primary_key: &["address"],
        indexes: &[],
    },
    Table {
        name: "blocks",
        doc: "Every finalized block from the start block on, whether or not it had Bizkey events.",
        columns: &[
            col("number", BigInt, "Block number."),
            col("hash", Text, "Block hash (0x hex)."),
            col("parent_hash", Text, "Parent block hash (0x hex)."),
            col("timestamp", BigInt, "Block time (ms since the Unix epoch, `Timestamp::Now`)."),
            col("events", BigInt, "Bizkey contract events in this block."),
        ],
        primary_key: &["number"],
        indexes: &[&["timestamp"]],
    },
    Table {
        name: "events",
        doc: "Every ContractEmitted event of a Bizkey contract, decoded with the contracts' own event types. Keyed by (block, index in the block's event list), so re-applying a block cannot duplicate it.",
        columns: &[
            col("block_number", BigInt, "Block number."),
            col("event_index", BigInt, "Index of the event in the block's System.Events."),
            opt("extrinsic_index", BigInt, "Index of the extrinsic that emitted it (NULL outside an extrinsic)."),
            col("contract", Text, "Emitting contract (SS58)."),
            col("contract_kind", Text, "Kind of the emitting contract (see `contracts.kind`)."),
            opt("name", Text, "Event type (Transfer, ReceiptConfirmed, …); NULL when no known type decodes it."),
            opt("data", Json, "The decoded fields as JSON (accounts SS58, hashes 0x hex, u128 as decimal strings)."),
            col("raw", Text, "The event's SCALE bytes (0x hex)."),
        ],
        primary_key: &["block_number", "event_index"],
        indexes: &[&["contract_kind", "name"]],
    },
    Table {
        name: "accounts",
        doc: "Every account that appears in a Bizkey event.",
        columns: &[
            col("address", Text, "Account (SS58, prefix 42)."),
            col("first_block", BigInt, "Block of its first appearance."),
        ],
        primary_key: &["address"],
        indexes: &[],
    },
];

tables_migration!();
