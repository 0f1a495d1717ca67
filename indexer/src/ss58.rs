//! SS58 strings (prefix 42) of account ids, remembered per thread.
//!
//! Encoding is base58 of 35 bytes plus a BLAKE2b checksum: about 3 µs, and
//! the indexer writes a few addresses for every event (the contract, the
//! parties in the event's JSON and in the rows it touches), drawn from a few
//! hundred accounts. A backfill of the bench chain spent ~10 % of the
//! process's CPU in `to_base58`; a small per-thread map avoids it.

use std::cell::RefCell;
use std::collections::HashMap;
use subxt::utils::AccountId32;

/// Entries per thread before the map is emptied (~0.5 MiB at most).
const CAPACITY: usize = 4096;

thread_local! {
    static CACHE: RefCell<HashMap<[u8; 32], String>> = RefCell::new(HashMap::new());
}

/// The SS58 string (prefix 42) of `bytes`, as `AccountId32`'s `Display`.
pub fn ss58(bytes: &[u8; 32]) -> String {
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(s) = cache.get(bytes) {
            return s.clone();
        }
        let s = AccountId32(*bytes).to_string();
        if cache.len() >= CAPACITY {
            cache.clear();
        }
        cache.insert(*bytes, s.clone());
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equals_display_cached_or_not() {
        for seed in 0..=255u8 {
            let bytes = [seed; 32];
            let want = AccountId32(bytes).to_string();
            assert_eq!(ss58(&bytes), want);
            assert_eq!(ss58(&bytes), want);
        }
    }
}
