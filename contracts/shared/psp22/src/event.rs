use bizkey_types::{
    psp22::{Approval, EmissionConfigured, EmissionReleased, Transfer},
    roles::RoleChanged,
};

/// Any event of a Bizkey token. The logic returns these; the contract emits
/// each as its own `#[ink::event]` (the enum itself is never emitted, so the
/// indexer sees the standalone event types of `bizkey-types`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenEvent {
    Transfer(Transfer),
    Approval(Approval),
    RoleChanged(RoleChanged),
    EmissionReleased(EmissionReleased),
    EmissionConfigured(EmissionConfigured),
}

/// Emits `events` in order from the executing contract.
pub fn emit_all<E: ink::env::Environment>(events: impl IntoIterator<Item = TokenEvent>) {
    for event in events {
        match event {
            TokenEvent::Transfer(e) => ink::env::emit_event::<E, _>(e),
            TokenEvent::Approval(e) => ink::env::emit_event::<E, _>(e),
            TokenEvent::RoleChanged(e) => ink::env::emit_event::<E, _>(e),
            TokenEvent::EmissionReleased(e) => ink::env::emit_event::<E, _>(e),
            TokenEvent::EmissionConfigured(e) => ink::env::emit_event::<E, _>(e),
        }
    }
}
