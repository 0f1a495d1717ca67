//! Decoding `ContractEmitted` events of the suite with the contracts' own
//! event enums (`bizkey-types`, one per contract, listing its event types
//! once for the contract and for this decoder): the emitting contract gives
//! its kind, the kind its enum, topic 0 the type whose `SIGNATURE_TOPIC` it
//! is. Besides the typed value the projection uses, every event gets a
//! JSON rendering built from its ink! metadata (`EventMetadata::event_spec`),
//! so event types the projection does not use are still readable in SQL.

use bizkey_types::events::ContractEvents;
use bizkey_types::governance::GovernanceEvent;
use bizkey_types::ledger::LedgerEvent;
use bizkey_types::locking::LockingEvent;
use bizkey_types::psp22::TokenEvent;
use bizkey_types::registry::RegistryEvent;
use bizkey_types::reviews::ReviewsEvent;
use bizkey_types::super_nodes::SuperNodeEvent;
use bizkey_types::tasks::TaskEvent;
use bizkey_types::vesting::VestingEvent;
use scale_info::form::PortableForm;
use scale_info::{PortableRegistry, TypeDef, TypeDefPrimitive};
use scale_value::{Composite, Primitive, ValueDef};
use serde_json::{json, Map, Value as Json};
use std::collections::HashMap;

pub use bizkey_chain::ContractKind;

/// A decoded event: the emitting contract's event enum (`bizkey-types`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Token(TokenEvent),
    Registry(RegistryEvent),
    Ledger(LedgerEvent),
    Vesting(VestingEvent),
    Locking(LockingEvent),
    SuperNodes(SuperNodeEvent),
    Governance(GovernanceEvent),
    Tasks(TaskEvent),
    Reviews(ReviewsEvent),
}

/// Decodes an event's data into [`Event`] (the contract's enum, wrapped).
type TypedDecoder = Box<dyn Fn(&[u8]) -> Result<Event, scale::Error> + Send + Sync>;

/// One event type the decoder knows.
struct EventType {
    name: &'static str,
    signature: [u8; 32],
    typed: TypedDecoder,
    /// `(label, type id in the decoder's registry)` of each field, in order.
    fields: Vec<(String, u32)>,
}

/// Why an event of a suite contract could not be decoded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("event without topics (not an ink! 5 event)")]
    NoTopics,
    #[error("no {kind} event has signature topic 0x{topic}")]
    UnknownSignature { kind: &'static str, topic: String },
    #[error("{name}: the data does not decode: {reason}")]
    BadData { name: &'static str, reason: String },
}

/// A decoded event: its type's name, the typed value and its JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    pub name: &'static str,
    pub event: Event,
    pub json: Json,
}

/// Decodes the events of the suite's contracts.
pub struct Decoder {
    registry: PortableRegistry,
    by_kind: HashMap<ContractKind, Vec<EventType>>,
}

/// The event types of a contract whose event enum is `E`, each decoding
/// into [`Event`] through `wrap`.
fn event_types<E: ContractEvents + 'static>(
    wrap: fn(E) -> Event,
    registry: &mut scale_info::Registry,
) -> Vec<EventType> {
    E::types()
        .into_iter()
        .map(|t| {
            let fields = (t.spec)()
                .args()
                .iter()
                .map(|arg| {
                    (
                        arg.label().to_string(),
                        registry.register_type(arg.ty().ty()).id,
                    )
                })
                .collect();
            let decode = t.decode;
            EventType {
                name: t.name,
                signature: t.signature,
                typed: Box::new(move |data| decode(data).map(wrap)),
                fields,
            }
        })
        .collect()
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Decoder {
    /// A decoder for every event type of the suite.
    pub fn new() -> Self {
        use ContractKind as K;
        let mut reg = scale_info::Registry::new();
        let r = &mut reg;
        let by_kind = HashMap::from([
            (K::BizToken, event_types(Event::Token, r)),
            (K::TimeToken, event_types(Event::Token, r)),
            (K::Registry, event_types(Event::Registry, r)),
            (K::Ledger, event_types(Event::Ledger, r)),
            (K::Vesting, event_types(Event::Vesting, r)),
            (K::Locking, event_types(Event::Locking, r)),
            (K::SuperNodes, event_types(Event::SuperNodes, r)),
            (K::Governance, event_types(Event::Governance, r)),
            (K::Tasks, event_types(Event::Tasks, r)),
            (K::Reviews, event_types(Event::Reviews, r)),
        ]);
        Self {
            registry: reg.into(),
            by_kind,
        }
    }

    /// Decodes one event of a contract of `kind`.
    ///
    /// # Errors
    /// [`DecodeError`] when no event type of `kind` has topic 0 as its
    /// signature or the data does not decode as that type.
    pub fn decode(
        &self,
        kind: ContractKind,
        topics: &[[u8; 32]],
        data: &[u8],
    ) -> Result<Decoded, DecodeError> {
        let topic0 = topics.first().ok_or(DecodeError::NoTopics)?;
        let ty = self
            .by_kind
            .get(&kind)
            .and_then(|types| types.iter().find(|t| &t.signature == topic0))
            .ok_or_else(|| DecodeError::UnknownSignature {
                kind: kind.name(),
                topic: hex::encode(topic0),
            })?;
        let bad = |reason: String| DecodeError::BadData {
            name: ty.name,
            reason,
        };
        let event = (ty.typed)(data).map_err(|e| bad(e.to_string()))?;
        let mut input = data;
        let mut obj = Map::new();
        for (label, id) in &ty.fields {
            let v = scale_value::scale::decode_as_type(&mut input, *id, &self.registry)
                .map_err(|e| bad(e.to_string()))?;
            obj.insert(label.clone(), self.to_json(&v));
        }
        Ok(Decoded {
            name: ty.name,
            event,
            json: Json::Object(obj),
        })
    }

    /// JSON of a decoded value: accounts as SS58, 32-byte arrays and byte
    /// sequences as 0x hex, integers past 2^53 as decimal strings (JSON
    /// readers lose precision above that), enums as their variant name or
    /// `{"Variant": fields}`, `Option` as null or the value.
    fn to_json(&self, v: &scale_value::Value<u32>) -> Json {
        let ty = self.registry.resolve(v.context);
        if let Some(ty) = ty {
            let last = ty.path.segments.last().map(String::as_str);
            if last == Some("AccountId") {
                if let Some(bytes) = self.byte_array(v) {
                    if let Ok(a) = <[u8; 32]>::try_from(bytes.as_slice()) {
                        return Json::String(crate::ss58::ss58(&a));
                    }
                }
            }
            if is_option(ty) {
                if let ValueDef::Variant(var) = &v.value {
                    return match var.values.values().next() {
                        Some(inner) if var.name == "Some" => self.to_json(inner),
                        _ => Json::Null,
                    };
                }
            }
        }
        match &v.value {
            ValueDef::Primitive(p) => primitive(p),
            ValueDef::Composite(c) => {
                if let Some(bytes) = self.byte_array(v) {
                    return Json::String(format!("0x{}", hex::encode(bytes)));
                }
                // A list stays a list, even of one element (which `composite`
                // would take for a newtype).
                if matches!(
                    ty.map(|t| &t.type_def),
                    Some(TypeDef::Sequence(_) | TypeDef::Array(_))
                ) {
                    return Json::Array(c.values().map(|x| self.to_json(x)).collect());
                }
                self.composite(c)
            }
            ValueDef::Variant(var) => {
                if var.values.is_empty() {
                    Json::String(var.name.clone())
                } else {
                    json!({ var.name.clone(): self.composite(&var.values) })
                }
            }
            ValueDef::BitSequence(bits) => {
                Json::String(bits.iter().map(|b| if b { '1' } else { '0' }).collect())
            }
        }
    }

    /// The bytes of a value whose type is an array or sequence of `u8`,
    /// directly or through newtypes.
    fn byte_array(&self, v: &scale_value::Value<u32>) -> Option<Vec<u8>> {
        let ty = self.registry.resolve(v.context)?;
        let elem = match &ty.type_def {
            TypeDef::Array(a) => a.type_param.id,
            TypeDef::Sequence(s) => s.type_param.id,
            TypeDef::Composite(c) if c.fields.len() == 1 => {
                return match &v.value {
                    ValueDef::Composite(inner) => {
                        inner.values().next().and_then(|x| self.byte_array(x))
                    }
                    _ => None,
                };
            }
            _ => return None,
        };
        let is_u8 = matches!(
            self.registry.resolve(elem).map(|t| &t.type_def),
            Some(TypeDef::Primitive(TypeDefPrimitive::U8))
        );
        if !is_u8 {
            return None;
        }
        match &v.value {
            ValueDef::Composite(c) => c
                .values()
                .map(|x| match x.value {
                    ValueDef::Primitive(Primitive::U128(b)) => u8::try_from(b).ok(),
                    _ => None,
                })
                .collect(),
            _ => None,
        }
    }

    fn composite(&self, c: &Composite<u32>) -> Json {
        match c {
            Composite::Named(fields) => Json::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), self.to_json(v)))
                    .collect(),
            ),
            // Newtypes (`struct AccountId([u8; 32])`-like) collapse to their field.
            Composite::Unnamed(vals) if vals.len() == 1 => self.to_json(&vals[0]),
            Composite::Unnamed(vals) => Json::Array(vals.iter().map(|v| self.to_json(v)).collect()),
        }
    }
}

fn is_option(ty: &scale_info::Type<PortableForm>) -> bool {
    ty.path.segments == ["Option"] && matches!(ty.type_def, TypeDef::Variant(_))
}

fn primitive(p: &Primitive) -> Json {
    const SAFE: u128 = 1 << 53;
    match p {
        Primitive::Bool(b) => Json::Bool(*b),
        Primitive::Char(c) => Json::String(c.to_string()),
        Primitive::String(s) => Json::String(s.clone()),
        Primitive::U128(n) if *n < SAFE => json!(*n as u64),
        Primitive::U128(n) => Json::String(n.to_string()),
        Primitive::I128(n) if n.unsigned_abs() < SAFE => json!(*n as i64),
        Primitive::I128(n) => Json::String(n.to_string()),
        Primitive::U256(b) | Primitive::I256(b) => Json::String(format!("0x{}", hex::encode(b))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bizkey_types::{ledger, psp22, reviews, tasks, AccountId, Hash};
    use ink::env::Event as InkEvent;
    use scale::Encode;

    fn sig<E: InkEvent>() -> [[u8; 32]; 1] {
        [E::SIGNATURE_TOPIC.expect("suite events have signatures")]
    }

    #[test]
    fn decodes_transfer_with_readable_json() {
        let e = psp22::Transfer {
            from: None,
            to: Some(AccountId::from([1; 32])),
            value: 10u128.pow(22),
        };
        let d = Decoder::new()
            .decode(
                ContractKind::BizToken,
                &sig::<psp22::Transfer>(),
                &e.encode(),
            )
            .unwrap();
        assert_eq!(d.name, "Transfer");
        assert_eq!(d.event, Event::Token(TokenEvent::Transfer(e)));
        assert_eq!(d.json["from"], Json::Null);
        assert_eq!(
            d.json["to"],
            Json::String(subxt::utils::AccountId32([1; 32]).to_string())
        );
        assert_eq!(
            d.json["value"],
            Json::String("10000000000000000000000".into())
        );
    }

    #[test]
    fn renders_nested_structs_enums_and_hashes() {
        let e = reviews::CustomerRated {
            id: 5,
            merchant: AccountId::from([2; 32]),
            customer: AccountId::from([3; 32]),
            score: 4,
            comment: Some(Hash::from([0xab; 32])),
        };
        let d = Decoder::new()
            .decode(
                ContractKind::Reviews,
                &sig::<reviews::CustomerRated>(),
                &e.encode(),
            )
            .unwrap();
        assert_eq!(d.json["id"], json!(5));
        assert_eq!(d.json["score"], json!(4));
        assert_eq!(
            d.json["comment"],
            Json::String(format!("0x{}", "ab".repeat(32)))
        );
        let p = ledger::ParamsChanged {
            params: ledger::LedgerParams::default(),
        };
        let d = Decoder::new()
            .decode(
                ContractKind::Ledger,
                &sig::<ledger::ParamsChanged>(),
                &p.encode(),
            )
            .unwrap();
        assert_eq!(d.json["params"]["window_ms"], json!(86_400_000));
        assert_eq!(d.json["params"]["weights"]["new"], json!(450_000));
    }

    #[test]
    fn community_contracts_events_are_typed_and_kept_as_json() {
        let e = bizkey_types::locking::Locked {
            account: AccountId::from([2; 32]),
            added: 5,
            lock: bizkey_types::locking::Lock {
                amount: 5,
                tier: 1,
                unlock_at: 9,
                weight: 10,
                reward_debt: 0,
                unclaimed: 0,
            },
            total_weight: 10,
        };
        let d = Decoder::new()
            .decode(
                ContractKind::Locking,
                &sig::<bizkey_types::locking::Locked>(),
                &e.encode(),
            )
            .unwrap();
        assert_eq!(
            (d.name, d.event),
            ("Locked", Event::Locking(LockingEvent::Locked(e)))
        );
        assert_eq!(d.json["lock"]["weight"], json!(10));
        for kind in [
            ContractKind::Tasks,
            ContractKind::Locking,
            ContractKind::SuperNodes,
            ContractKind::Governance,
        ] {
            assert_eq!(ContractKind::from_name(kind.name()), Some(kind));
        }
    }

    #[test]
    fn every_contract_has_one_event_type_per_signature() {
        let dec = Decoder::new();
        for (kind, types) in &dec.by_kind {
            let mut signatures: Vec<_> = types.iter().map(|t| t.signature).collect();
            signatures.sort_unstable();
            signatures.dedup();
            assert_eq!(signatures.len(), types.len(), "{kind:?}");
            assert!(!types.is_empty(), "{kind:?}");
        }
        assert_eq!(dec.by_kind.len(), 10);
        // The ledger's enum lists each of its event types once.
        assert_eq!(dec.by_kind[&ContractKind::Ledger].len(), 12);
    }

    #[test]
    fn lists_of_one_stay_lists() {
        let e = tasks::TaskCompleted {
            id: 1,
            customer: AccountId::from([4; 32]),
            receipts: vec![5],
            qualifying_time: 0,
            reward: 7,
            stake_returned: 0,
            completions: 1,
        };
        let d = Decoder::new()
            .decode(
                ContractKind::Tasks,
                &sig::<tasks::TaskCompleted>(),
                &e.encode(),
            )
            .unwrap();
        assert_eq!(d.json["receipts"], json!([5]));
        assert_eq!(d.json["reward"], json!(7));
    }

    #[test]
    fn dispatches_on_contract_kind_and_rejects_bad_data() {
        let e = psp22::Transfer {
            from: None,
            to: None,
            value: 1,
        };
        let dec = Decoder::new();
        // A token event from the registry's address is not a registry event.
        assert!(matches!(
            dec.decode(
                ContractKind::Registry,
                &sig::<psp22::Transfer>(),
                &e.encode()
            ),
            Err(DecodeError::UnknownSignature {
                kind: "registry",
                ..
            })
        ));
        let mut long = e.encode();
        long.push(0);
        assert!(matches!(
            dec.decode(ContractKind::TimeToken, &sig::<psp22::Transfer>(), &long),
            Err(DecodeError::BadData {
                name: "Transfer",
                ..
            })
        ));
        assert_eq!(
            dec.decode(ContractKind::TimeToken, &[], &e.encode()),
            Err(DecodeError::NoTopics)
        );
    }
}
