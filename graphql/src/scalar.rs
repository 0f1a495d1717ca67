//! Scalars: token and sale amounts (`u128`) travel as decimal strings, since
//! JSON numbers lose precision past 2^53.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use bizkey_store::amount::U128;

/// An unsigned 128-bit integer as a decimal string: token amounts in the
/// smallest unit (12 decimals), sale amounts in cents, BizPower in 10^-9.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Amount(pub u128);

#[Scalar(name = "Amount")]
impl ScalarType for Amount {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s
                .parse()
                .map(Amount)
                .map_err(|_| InputValueError::custom("amount out of range (u128)")),
            Value::Number(n) => n
                .as_u64()
                .map(|v| Amount(v.into()))
                .ok_or_else(|| InputValueError::custom("an amount is a non-negative integer")),
            _ => Err(InputValueError::custom(
                "an amount is a decimal string of digits",
            )),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

impl From<U128> for Amount {
    fn from(v: U128) -> Self {
        Amount(v.0)
    }
}

impl From<Amount> for U128 {
    fn from(v: Amount) -> Self {
        U128(v.0)
    }
}
