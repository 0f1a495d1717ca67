//! Bizkey's SQL store: the tables the indexer writes and the GraphQL API
//! reads, on SQLite or PostgreSQL through sea-orm.
//!
//! - [`migration`]: the schema as data (DDL for both engines, `docs/sql.md`);
//! - [`entity`]: sea-orm entities generated from it;
//! - [`repo`]: connections, migrations and the shared writes;
//! - [`amount`]: `u128` columns; [`column`]: enum columns' string forms; [`detail`]: off-chain receipt details;
//! - `test_db` (feature `test-support`): fresh databases on both engines for tests.

pub mod amount;
pub mod column;
pub mod detail;
pub mod entity;
pub mod migration;
pub mod repo;
#[cfg(feature = "test-support")]
pub mod test_db;

/// `0x`-prefixed lower-case hex: how hashes and raw bytes are stored.
///
/// Written into one buffer: `hex::encode` collects its digits a `char` at a
/// time, and with the `0x` prefix `format!`ted on it was 2.6 % of a
/// backfill's CPU (every event's raw bytes, every block hash).
pub fn hex0x(bytes: impl AsRef<[u8]>) -> String {
    let bytes = bytes.as_ref();
    let mut out = vec![0; 2 + 2 * bytes.len()];
    out[..2].copy_from_slice(b"0x");
    hex::encode_to_slice(bytes, &mut out[2..]).expect("two digits a byte");
    String::from_utf8(out).expect("hex digits are ASCII")
}

/// blake2-256 (32-byte output): what the contracts put in `Hash` fields
/// (receipt details, descriptions, licences, evidence).
pub fn blake2_256(data: &[u8]) -> [u8; 32] {
    use blake2::digest::{consts::U32, Digest};
    blake2::Blake2b::<U32>::digest(data).into()
}

/// Wall-clock time in ms since the Unix epoch (0 if the clock is before it),
/// as the chain's `Timestamp` (order times, deadlines).
pub fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// [`unix_ms`] as the index's `BIGINT` columns store it.
pub fn now_ms() -> i64 {
    i64::try_from(unix_ms()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex0x_is_0x_and_lower_case_hex() {
        assert_eq!(super::hex0x([]), "0x");
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(super::hex0x(&bytes), format!("0x{}", hex::encode(&bytes)));
        assert_eq!(super::hex0x([0xab, 0x01]), "0xab01");
    }
}
