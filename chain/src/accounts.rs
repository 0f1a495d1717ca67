//! Keys and account conversions between subxt and ink!.

use crate::error::{ChainError, Result};
use std::str::FromStr;
use subxt::utils::AccountId32;
use subxt_signer::{sr25519::Keypair, SecretUri};

/// An sr25519 key pair from a secret URI: `//Alice`, `//Alice//merchant/3`,
/// a mnemonic with optional derivation, or a `0x` hex seed.
///
/// # Errors
/// [`ChainError::Signer`] for an unparsable URI.
pub fn keypair(suri: &str) -> Result<Keypair> {
    let uri = SecretUri::from_str(suri).map_err(|e| ChainError::Signer {
        reason: e.to_string(),
    })?;
    Keypair::from_uri(&uri).map_err(|e| ChainError::Signer {
        reason: e.to_string(),
    })
}

/// The account of a key pair.
pub fn account_of(key: &Keypair) -> AccountId32 {
    key.public_key().to_account_id()
}

/// The same 32 bytes as ink!'s `AccountId` (what contract arguments take).
pub fn to_ink(account: &AccountId32) -> ink::primitives::AccountId {
    ink::primitives::AccountId::from(account.0)
}

/// ink!'s `AccountId` as subxt's.
pub fn from_ink(account: &ink::primitives::AccountId) -> AccountId32 {
    AccountId32(*AsRef::<[u8; 32]>::as_ref(account))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_uris_give_the_well_known_accounts() {
        let alice = account_of(&keypair("//Alice").unwrap());
        assert_eq!(
            alice.to_string(),
            "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
        );
        assert_eq!(from_ink(&to_ink(&alice)), alice);
        assert_ne!(account_of(&keypair("//Alice//1").unwrap()), alice);
        let e = keypair("not a uri at all").map(|_| ()).unwrap_err();
        assert!(matches!(e, ChainError::Signer { .. }));
        assert!(!e.to_string().contains("uri at all"), "{e}");
    }
}
