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
use scale_info::{Field, PortableRegistry, TypeDef, TypeDefPrimitive};
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

/// A decoded event: the typed value, and its type (its name, and what
/// [`Decoder::json`] renders it with).
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    pub event: Event,
    pub ty: EventTypeRef,
}

/// One event type of the decoder (the contract kind and its position).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventTypeRef {
    kind: ContractKind,
    index: usize,
    name: &'static str,
}

impl EventTypeRef {
    /// The event type's name (`Transfer`, `ReceiptConfirmed`, …).
    pub fn name(self) -> &'static str {
        self.name
    }
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
        let (index, ty) = self
            .by_kind
            .get(&kind)
            .and_then(|types| {
                types
                    .iter()
                    .enumerate()
                    .find(|(_, t)| &t.signature == topic0)
            })
            .ok_or_else(|| DecodeError::UnknownSignature {
                kind: kind.name(),
                topic: hex::encode(topic0),
            })?;
        let event = (ty.typed)(data).map_err(|e| DecodeError::BadData {
            name: ty.name,
            reason: e.to_string(),
        })?;
        Ok(Decoded {
            event,
            ty: EventTypeRef {
                kind,
                index,
                name: ty.name,
            },
        })
    }

    /// The JSON of an event's `data` (an object of its fields, see
    /// [`render`](Self::render)), `ty` from [`decode`](Self::decode): the
    /// projection renders it only when it writes the event's row, so that
    /// the blocks fetched ahead hold their bytes, not their JSON.
    ///
    /// # Errors
    /// [`DecodeError::BadData`] when `data` is not of type `ty`.
    pub fn json(&self, ty: EventTypeRef, data: &[u8]) -> Result<Json, DecodeError> {
        let ty = &self.by_kind[&ty.kind][ty.index];
        let bad = |reason: String| DecodeError::BadData {
            name: ty.name,
            reason,
        };
        let mut input = data;
        let mut obj = Map::new();
        for (label, id) in &ty.fields {
            obj.insert(label.clone(), self.render(*id, &mut input).map_err(bad)?);
        }
        Ok(Json::Object(obj))
    }

    /// Reads a value of type `id` from `input` as JSON: accounts as SS58,
    /// byte arrays and sequences (directly or through newtypes) as 0x hex,
    /// integers past 2^53 as decimal strings (JSON readers lose precision
    /// above that), enums as their variant name or `{"Variant": fields}`,
    /// `Option` as null or the value, newtypes as their field.
    ///
    /// It walks the type registry and the bytes together, building only the
    /// JSON: decoding into generic values first (`scale-value`) allocated a
    /// value per byte of every account and cost a seventh of a backfill's CPU.
    fn render(&self, id: u32, input: &mut &[u8]) -> Result<Json, String> {
        let ty = self.ty(id)?;
        if let Some(len) = self.byte_len(id, input) {
            let bytes = take(input, len?)?;
            if ty.path.segments.last().map(String::as_str) == Some("AccountId") {
                if let Ok(a) = <[u8; 32]>::try_from(bytes) {
                    return Ok(Json::String(crate::ss58::ss58(&a)));
                }
            }
            return Ok(Json::String(bizkey_store::hex0x(bytes)));
        }
        Ok(match &ty.type_def {
            TypeDef::Composite(c) => self.fields(&c.fields, input)?,
            TypeDef::Variant(v) => {
                let index = read::<u8>(input)?;
                let var = v
                    .variants
                    .iter()
                    .find(|var| var.index == index)
                    .ok_or_else(|| format!("no variant {index} in type {id}"))?;
                if is_option(ty) {
                    match var.fields.first() {
                        Some(some) if var.name == "Some" => self.render(some.ty.id, input)?,
                        _ => Json::Null,
                    }
                } else if var.fields.is_empty() {
                    Json::String(var.name.clone())
                } else {
                    json!({ var.name.clone(): self.fields(&var.fields, input)? })
                }
            }
            // A list stays a list, even of one element (unlike a newtype).
            TypeDef::Sequence(s) => {
                let len = read::<scale::Compact<u32>>(input)?.0;
                (0..len)
                    .map(|_| self.render(s.type_param.id, input))
                    .collect::<Result<_, _>>()?
            }
            TypeDef::Array(a) => (0..a.len)
                .map(|_| self.render(a.type_param.id, input))
                .collect::<Result<_, _>>()?,
            TypeDef::Tuple(t) => {
                let mut items = t
                    .fields
                    .iter()
                    .map(|f| self.render(f.id, input))
                    .collect::<Result<Vec<_>, _>>()?;
                if items.len() == 1 {
                    items.remove(0)
                } else {
                    Json::Array(items)
                }
            }
            TypeDef::Primitive(p) => primitive(p, input)?,
            TypeDef::Compact(c) => match &self.ty(c.type_param.id)?.type_def {
                TypeDef::Primitive(
                    TypeDefPrimitive::U8
                    | TypeDefPrimitive::U16
                    | TypeDefPrimitive::U32
                    | TypeDefPrimitive::U64
                    | TypeDefPrimitive::U128,
                ) => unsigned(read::<scale::Compact<u128>>(input)?.0),
                _ => return Err(format!("compact type {id} is not of an unsigned integer")),
            },
            TypeDef::BitSequence(_) => return Err(format!("bit sequence type {id}")),
        })
    }

    fn ty(&self, id: u32) -> Result<&scale_info::Type<PortableForm>, String> {
        self.registry
            .resolve(id)
            .ok_or_else(|| format!("type {id} is not in the registry"))
    }

    /// A struct's or variant's fields: an object when named, the field
    /// itself for a newtype, else a list.
    fn fields(&self, fields: &[Field<PortableForm>], input: &mut &[u8]) -> Result<Json, String> {
        if fields.first().is_some_and(|f| f.name.is_some()) {
            fields
                .iter()
                .map(|f| {
                    Ok((
                        f.name.clone().unwrap_or_default(),
                        self.render(f.ty.id, input)?,
                    ))
                })
                .collect::<Result<Map<_, _>, String>>()
                .map(Json::Object)
        } else if let [single] = fields {
            self.render(single.ty.id, input)
        } else {
            fields.iter().map(|f| self.render(f.ty.id, input)).collect()
        }
    }

    /// How many bytes a value of type `id` holds when the type is an array
    /// or sequence of `u8`, directly or through single-field structs (for a
    /// sequence, read from its length prefix); `None` for any other type,
    /// with `input` untouched.
    fn byte_len(&self, id: u32, input: &mut &[u8]) -> Option<Result<usize, String>> {
        let ty = self.registry.resolve(id)?;
        let (elem, fixed) = match &ty.type_def {
            TypeDef::Array(a) => (a.type_param.id, Some(a.len as usize)),
            TypeDef::Sequence(s) => (s.type_param.id, None),
            TypeDef::Composite(c) if c.fields.len() == 1 => {
                return self.byte_len(c.fields[0].ty.id, input)
            }
            _ => return None,
        };
        if !matches!(
            self.registry.resolve(elem).map(|t| &t.type_def),
            Some(TypeDef::Primitive(TypeDefPrimitive::U8))
        ) {
            return None;
        }
        Some(match fixed {
            Some(len) => Ok(len),
            None => read::<scale::Compact<u32>>(input).map(|n| n.0 as usize),
        })
    }
}

/// Takes `len` bytes off the front of `input`.
fn take<'a>(input: &mut &'a [u8], len: usize) -> Result<&'a [u8], String> {
    if input.len() < len {
        return Err(format!("{len} bytes expected, {} left", input.len()));
    }
    let (bytes, rest) = input.split_at(len);
    *input = rest;
    Ok(bytes)
}

fn read<T: scale::Decode>(input: &mut &[u8]) -> Result<T, String> {
    T::decode(input).map_err(|e| e.to_string())
}

fn is_option(ty: &scale_info::Type<PortableForm>) -> bool {
    ty.path.segments == ["Option"] && matches!(ty.type_def, TypeDef::Variant(_))
}

/// An unsigned integer: a number below 2^53, a decimal string above.
fn unsigned(n: u128) -> Json {
    if n < SAFE {
        json!(n as u64)
    } else {
        Json::String(n.to_string())
    }
}

fn signed(n: i128) -> Json {
    if n.unsigned_abs() < SAFE {
        json!(n as i64)
    } else {
        Json::String(n.to_string())
    }
}

/// The largest magnitude JSON readers (IEEE doubles) hold exactly, plus one.
const SAFE: u128 = 1 << 53;

fn primitive(p: &TypeDefPrimitive, input: &mut &[u8]) -> Result<Json, String> {
    use TypeDefPrimitive as P;
    Ok(match p {
        P::Bool => Json::Bool(read::<bool>(input)?),
        P::Char => {
            let c = read::<u32>(input)?;
            Json::String(
                char::from_u32(c)
                    .ok_or_else(|| format!("{c:#x} is not a char"))?
                    .to_string(),
            )
        }
        P::Str => Json::String(read::<String>(input)?),
        P::U8 => unsigned(read::<u8>(input)?.into()),
        P::U16 => unsigned(read::<u16>(input)?.into()),
        P::U32 => unsigned(read::<u32>(input)?.into()),
        P::U64 => unsigned(read::<u64>(input)?.into()),
        P::U128 => unsigned(read::<u128>(input)?),
        P::I8 => signed(read::<i8>(input)?.into()),
        P::I16 => signed(read::<i16>(input)?.into()),
        P::I32 => signed(read::<i32>(input)?.into()),
        P::I64 => signed(read::<i64>(input)?.into()),
        P::I128 => signed(read::<i128>(input)?),
        P::U256 | P::I256 => Json::String(bizkey_store::hex0x(read::<[u8; 32]>(input)?)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bizkey_types::{ledger, psp22, reviews, tasks, AccountId, Hash};
    use ink::env::Event as InkEvent;
    use scale::Encode;

    /// The rendering `render` replaced, through `scale-value`'s generic
    /// values: kept as the oracle `render` must equal.
    mod reference {
        use super::super::{is_option, SAFE};
        use scale_info::{PortableRegistry, TypeDef, TypeDefPrimitive};
        use scale_value::{Composite, Primitive, Value, ValueDef};
        use serde_json::{json, Value as Json};

        pub fn decode(reg: &PortableRegistry, id: u32, input: &mut &[u8]) -> Json {
            let v = scale_value::scale::decode_as_type(input, id, reg).expect("valid bytes");
            to_json(reg, &v)
        }

        fn to_json(reg: &PortableRegistry, v: &Value<u32>) -> Json {
            let ty = reg.resolve(v.context);
            if let Some(ty) = ty {
                if ty.path.segments.last().map(String::as_str) == Some("AccountId") {
                    if let Some(a) = byte_array(reg, v).and_then(|b| <[u8; 32]>::try_from(b).ok()) {
                        return Json::String(crate::ss58::ss58(&a));
                    }
                }
                if is_option(ty) {
                    if let ValueDef::Variant(var) = &v.value {
                        return match var.values.values().next() {
                            Some(inner) if var.name == "Some" => to_json(reg, inner),
                            _ => Json::Null,
                        };
                    }
                }
            }
            match &v.value {
                ValueDef::Primitive(p) => primitive(p),
                ValueDef::Composite(c) => {
                    if let Some(bytes) = byte_array(reg, v) {
                        return Json::String(format!("0x{}", hex::encode(bytes)));
                    }
                    if matches!(
                        ty.map(|t| &t.type_def),
                        Some(TypeDef::Sequence(_) | TypeDef::Array(_))
                    ) {
                        return Json::Array(c.values().map(|x| to_json(reg, x)).collect());
                    }
                    composite(reg, c)
                }
                ValueDef::Variant(var) if var.values.is_empty() => Json::String(var.name.clone()),
                ValueDef::Variant(var) => json!({ var.name.clone(): composite(reg, &var.values) }),
                ValueDef::BitSequence(_) => unreachable!("no bit sequences in the suite's events"),
            }
        }

        fn byte_array(reg: &PortableRegistry, v: &Value<u32>) -> Option<Vec<u8>> {
            let ty = reg.resolve(v.context)?;
            let elem = match &ty.type_def {
                TypeDef::Array(a) => a.type_param.id,
                TypeDef::Sequence(s) => s.type_param.id,
                TypeDef::Composite(c) if c.fields.len() == 1 => {
                    return match &v.value {
                        ValueDef::Composite(inner) => {
                            inner.values().next().and_then(|x| byte_array(reg, x))
                        }
                        _ => None,
                    };
                }
                _ => return None,
            };
            if !matches!(
                reg.resolve(elem).map(|t| &t.type_def),
                Some(TypeDef::Primitive(TypeDefPrimitive::U8))
            ) {
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

        fn composite(reg: &PortableRegistry, c: &Composite<u32>) -> Json {
            match c {
                Composite::Named(fields) => Json::Object(
                    fields
                        .iter()
                        .map(|(k, v)| (k.clone(), to_json(reg, v)))
                        .collect(),
                ),
                Composite::Unnamed(vals) if vals.len() == 1 => to_json(reg, &vals[0]),
                Composite::Unnamed(vals) => {
                    Json::Array(vals.iter().map(|v| to_json(reg, v)).collect())
                }
            }
        }

        fn primitive(p: &Primitive) -> Json {
            match p {
                Primitive::Bool(b) => Json::Bool(*b),
                Primitive::Char(c) => Json::String(c.to_string()),
                Primitive::String(s) => Json::String(s.clone()),
                Primitive::U128(n) if *n < SAFE => json!(*n as u64),
                Primitive::U128(n) => Json::String(n.to_string()),
                Primitive::I128(n) if n.unsigned_abs() < SAFE => json!(*n as i64),
                Primitive::I128(n) => Json::String(n.to_string()),
                Primitive::U256(b) | Primitive::I256(b) => {
                    Json::String(format!("0x{}", hex::encode(b)))
                }
            }
        }
    }

    /// An integer of `bytes` bytes with a random number of its low bits set
    /// at random, so that small and huge values are both common.
    fn int(rng: &mut impl rand::Rng, bytes: u32) -> u128 {
        let bits = rng.random_range(0..=bytes * 8);
        let x: u128 = rng.random();
        if bits == 128 {
            x
        } else {
            x & ((1u128 << bits) - 1)
        }
    }

    /// Appends random valid SCALE bytes of type `id`: every variant, lists
    /// of 0 to 3, integers of every magnitude.
    fn arbitrary(reg: &PortableRegistry, id: u32, rng: &mut impl rand::Rng, out: &mut Vec<u8>) {
        use TypeDefPrimitive as P;
        let ty = reg.resolve(id).expect("registered");
        match &ty.type_def {
            TypeDef::Composite(c) => {
                for f in &c.fields {
                    arbitrary(reg, f.ty.id, rng, out);
                }
            }
            TypeDef::Variant(v) => {
                let var = &v.variants[rng.random_range(0..v.variants.len())];
                out.push(var.index);
                for f in &var.fields {
                    arbitrary(reg, f.ty.id, rng, out);
                }
            }
            TypeDef::Sequence(s) => {
                let len = rng.random_range(0..4u32);
                scale::Compact(len).encode_to(out);
                for _ in 0..len {
                    arbitrary(reg, s.type_param.id, rng, out);
                }
            }
            TypeDef::Array(a) => {
                for _ in 0..a.len {
                    arbitrary(reg, a.type_param.id, rng, out);
                }
            }
            TypeDef::Tuple(t) => {
                for f in &t.fields {
                    arbitrary(reg, f.id, rng, out);
                }
            }
            TypeDef::Primitive(p) => match p {
                P::Bool => out.push(rng.random_range(0..2)),
                P::Char => (['a', 'é', '中', '🦀'][rng.random_range(0..4)] as u32).encode_to(out),
                P::Str => ["", "a", "Grüße \"x\"\n"][rng.random_range(0..3)].encode_to(out),
                P::U8 | P::I8 => out.extend_from_slice(&int(rng, 1).to_le_bytes()[..1]),
                P::U16 | P::I16 => out.extend_from_slice(&int(rng, 2).to_le_bytes()[..2]),
                P::U32 | P::I32 => out.extend_from_slice(&int(rng, 4).to_le_bytes()[..4]),
                P::U64 | P::I64 => out.extend_from_slice(&int(rng, 8).to_le_bytes()[..8]),
                P::U128 | P::I128 => out.extend_from_slice(&int(rng, 16).to_le_bytes()),
                P::U256 | P::I256 => out.extend_from_slice(&rng.random::<[u8; 32]>()),
            },
            TypeDef::Compact(_) => scale::Compact(int(rng, 16)).encode_to(out),
            TypeDef::BitSequence(_) => panic!("type {id}: a bit sequence"),
        }
    }

    #[test]
    fn renders_every_event_field_as_the_generic_decoder_did() {
        use rand::SeedableRng;
        let dec = Decoder::new();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut fields = 0;
        for types in dec.by_kind.values() {
            for ty in types {
                for (label, id) in &ty.fields {
                    fields += 1;
                    for _ in 0..200 {
                        let mut bytes = Vec::new();
                        arbitrary(&dec.registry, *id, &mut rng, &mut bytes);
                        let (mut a, mut b) = (bytes.as_slice(), bytes.as_slice());
                        let got = dec.render(*id, &mut a).unwrap();
                        let want = reference::decode(&dec.registry, *id, &mut b);
                        assert_eq!(got, want, "{}.{label}: {}", ty.name, hex::encode(&bytes));
                        assert!(a.is_empty() && b.is_empty(), "{}.{label}", ty.name);
                    }
                }
            }
        }
        assert!(fields > 100, "{fields} fields");
        // Bad bytes are an error, not a panic or a partial value.
        let (_, id) = &dec.by_kind[&ContractKind::Reviews][0].fields[0];
        assert!(dec.render(*id, &mut &[][..]).is_err());
    }

    /// An event decoded, with its JSON.
    struct WithJson {
        name: &'static str,
        event: Event,
        json: Json,
    }

    fn decode_with_json(kind: ContractKind, topics: &[[u8; 32]], data: &[u8]) -> WithJson {
        let dec = Decoder::new();
        let d = dec.decode(kind, topics, data).unwrap();
        WithJson {
            name: d.ty.name(),
            event: d.event,
            json: dec.json(d.ty, data).unwrap(),
        }
    }

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
        let d = decode_with_json(
            ContractKind::BizToken,
            &sig::<psp22::Transfer>(),
            &e.encode(),
        );
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
        let d = decode_with_json(
            ContractKind::Reviews,
            &sig::<reviews::CustomerRated>(),
            &e.encode(),
        );
        assert_eq!(d.json["id"], json!(5));
        assert_eq!(d.json["score"], json!(4));
        assert_eq!(
            d.json["comment"],
            Json::String(format!("0x{}", "ab".repeat(32)))
        );
        let p = ledger::ParamsChanged {
            params: ledger::LedgerParams::default(),
        };
        let d = decode_with_json(
            ContractKind::Ledger,
            &sig::<ledger::ParamsChanged>(),
            &p.encode(),
        );
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
        let d = decode_with_json(
            ContractKind::Locking,
            &sig::<bizkey_types::locking::Locked>(),
            &e.encode(),
        );
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
        let d = decode_with_json(
            ContractKind::Tasks,
            &sig::<tasks::TaskCompleted>(),
            &e.encode(),
        );
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
