//! Each contract's events as one enum, defined once: the contract's logic
//! returns variants and the contract emits each as its own `#[ink::event]`
//! (`emit_all`), and the indexer decodes `ContractEmitted` events into the
//! same enum from the same list ([`ContractEvents`], with `std`). Adding an
//! event to a contract is one variant in its enum (see `contract_events!`
//! in the crate root).

/// One event type of a contract's event enum, as a decoder needs it.
#[cfg(feature = "std")]
pub struct EventType<T> {
    /// The type's name (the variant's).
    pub name: &'static str,
    /// Topic 0 of every such event: the type's `SIGNATURE_TOPIC`.
    pub signature: [u8; 32],
    /// The type's ink! metadata: its fields' labels and types.
    pub spec: fn() -> ink::metadata::EventSpec,
    /// Decodes an event's whole data into the enum.
    pub decode: fn(&[u8]) -> Result<T, scale::Error>,
}

/// A contract's event enum (implemented by `contract_events!`).
#[cfg(feature = "std")]
pub trait ContractEvents: Sized {
    /// Every event type the contract emits, in the enum's order.
    fn types() -> Vec<EventType<Self>>;
}

/// Decodes `E` from all of `data`: trailing bytes mean the data is of
/// another type.
///
/// # Errors
/// When `data` is not exactly one SCALE-encoded `E`.
#[cfg(feature = "std")]
pub fn decode_exact<E: scale::Decode>(data: &[u8]) -> Result<E, scale::Error> {
    let mut input = data;
    let e = E::decode(&mut input)?;
    if !input.is_empty() {
        return Err("trailing bytes after the event".into());
    }
    Ok(e)
}
