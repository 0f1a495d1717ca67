//! What the contracts' `ink_e2e` tests share.
//!
//! The registry's and the ledger's `#[ink::contract]` modules are private,
//! so a test of another contract cannot use their typed call builders: it
//! builds their calls and constructors from the selectors instead
//! ([`message!`], [`constructor!`]).

/// Re-exported for the macros (`$crate::ink`), so that a test crate needs
/// no `ink` import of its own for them.
pub use ink;

/// What an e2e test returns.
pub type E2EResult<T> = Result<T, Box<dyn std::error::Error>>;

/// Wall-clock milliseconds: the dev node's block timestamps follow it.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis() as u64
}

/// A message of a contract whose call builder is out of reach, built from
/// its selector: `message!(callee, "name" -> ReturnType, args…)`, where the
/// return type is the message's declared one.
#[macro_export]
macro_rules! message {
    ($callee:expr, $name:literal -> $ret:ty $(, $arg:expr)*) => {
        $crate::ink::env::call::build_call::<$crate::ink::env::DefaultEnvironment>()
            .call($callee)
            .exec_input(
                $crate::ink::env::call::ExecutionInput::new(
                    $crate::ink::env::call::Selector::new($crate::ink::selector_bytes!($name)),
                )
                $(.push_arg($arg))*,
            )
            .returns::<$ret>()
    };
}

/// The constructor `new` of a contract whose call builder is out of reach,
/// by its selector: `constructor!(SomeRef; args…)`. `SomeRef`, any contract
/// reference the test crate has, only fills the builder's type slot: the
/// code comes from the contract name given to `instantiate`.
#[macro_export]
macro_rules! constructor {
    ($reference:ty $(; $($arg:expr),+ $(,)?)?) => {
        $crate::ink::env::call::build_create::<$reference>()
            .exec_input(
                $crate::ink::env::call::ExecutionInput::new(
                    $crate::ink::env::call::Selector::new($crate::ink::selector_bytes!("new")),
                )
                $($(.push_arg($arg))+)?,
            )
            .returns::<$reference>()
    };
}
