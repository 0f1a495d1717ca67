//! The registry: merchants, customers, their status histories and referrals.

use super::schema::{col, opt, tables_migration, Table, Ty::*};

pub const TABLES: &[Table] = &[
    Table {
        name: "merchants",
        doc: "Registered merchants with their current profile (MerchantRegistered, MerchantUpdated, TimeShareChanged, MerchantStatusChanged).",
        columns: &[
            col("account", Text, "Merchant account (SS58)."),
            col("name", Text, "Shop name."),
            col("category", Text, "Restaurant, Cafe, Grocery, Bakery, Bar, Retail, Beauty, Services or Other."),
            col("location", Text, "Geohash or city code (the 商圈)."),
            col("area_sqft", BigInt, "Area x, square feet."),
            col("staff", BigInt, "Staff count y."),
            col("rent_per_sqft_day", U128, "Rent e_R, cents per square foot per day."),
            col("wage_per_day", U128, "Wage e_S, cents per staff member per day."),
            col("licence_hash", Text, "blake2-256 of the licence document (0x hex)."),
            opt("referrer", Text, "Referrer merchant (SS58)."),
            col("time_share_ppm", BigInt, "Most of an amount a customer may pay in Time, parts per million."),
            col("status", Text, "Pending, Verified, Suspended or Removed."),
            col("registered_at", BigInt, "Registration time (ms)."),
            opt("verified_at", BigInt, "First verification time (ms)."),
            col("registered_block", BigInt, "Block of the registration."),
            col("updated_block", BigInt, "Block of the last change."),
        ],
        primary_key: &["account"],
        indexes: &[&["status"], &["location"], &["category"]],
    },
    Table {
        name: "merchant_status_history",
        doc: "Every merchant status change, with who made it.",
        columns: &[
            col("block_number", BigInt, "Block number."),
            col("event_index", BigInt, "Index in the block's events."),
            col("merchant", Text, "Merchant (SS58)."),
            opt("changed_by", Text, "Authority, governance or super node (SS58); NULL when the merchant's own profile update reset it."),
            opt("from_status", Text, "Status before; NULL at registration."),
            col("to_status", Text, "Status after."),
            col("at", BigInt, "Time of the change (ms)."),
        ],
        primary_key: &["block_number", "event_index"],
        indexes: &[&["merchant"]],
    },
    Table {
        name: "customers",
        doc: "Customers: registered at the registry, or known from their first confirmed purchase (the ledger's copy).",
        columns: &[
            col("account", Text, "Customer account (SS58)."),
            opt("referrer", Text, "Referrer customer (顾客父 ID, SS58)."),
            col("status", Text, "Active, Suspended or Removed."),
            col("implicit", Bool, "Known from its first confirmed purchase only: the registry holds no record of it."),
            col("registered_at", BigInt, "Registration or first purchase time, whichever came first (ms)."),
            col("registered_block", BigInt, "Block of the registration."),
            col("updated_block", BigInt, "Block of the last change."),
        ],
        primary_key: &["account"],
        indexes: &[&["referrer"]],
    },
    Table {
        name: "customer_status_history",
        doc: "Every customer status change.",
        columns: &[
            col("block_number", BigInt, "Block number."),
            col("event_index", BigInt, "Index in the block's events."),
            col("customer", Text, "Customer (SS58)."),
            col("changed_by", Text, "Authority or governance (SS58)."),
            col("from_status", Text, "Status before."),
            col("to_status", Text, "Status after."),
        ],
        primary_key: &["block_number", "event_index"],
        indexes: &[&["customer"]],
    },
    Table {
        name: "referrals",
        doc: "Who brought whom: merchant → merchant and customer → customer, set once at registration.",
        columns: &[
            col("kind", Text, "merchant or customer."),
            col("referred", Text, "The new merchant or customer (SS58)."),
            col("referrer", Text, "The referrer (SS58)."),
            col("block_number", BigInt, "Block of the registration."),
            col("at", BigInt, "Registration time (ms)."),
        ],
        primary_key: &["kind", "referred"],
        indexes: &[&["referrer"]],
    },
];

tables_migration!();
