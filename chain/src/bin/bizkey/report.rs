//! What a people command prints: one line per step for people, one JSON
//! object for scripts (`--json`).

use bizkey_chain::{Included, Quote};
use serde_json::{json, Value};

/// A contract call's dry run and, once sent, where it landed.
pub struct Step {
    call: String,
    dry_run: Value,
    fee: u128,
    deposit: i128,
    included: Option<Value>,
    outcome: String,
    value: Value,
}

impl Step {
    pub fn quoted<T>(label: &str, quote: &Quote<T>) -> Self {
        let gas = quote.dry.gas_required;
        Self {
            call: label.to_owned(),
            dry_run: json!({
                "gas_required": { "ref_time": gas.ref_time, "proof_size": gas.proof_size },
                "storage_deposit": quote.dry.storage_deposit.to_string(),
                "fee": quote.fee.to_string(),
            }),
            fee: quote.fee,
            deposit: quote.dry.storage_deposit,
            included: None,
            outcome: String::new(),
            value: Value::Null,
        }
    }

    pub fn included(&mut self, included: &Included) {
        self.included = Some(json!({
            "block": included.block_number,
            "block_hash": format!("{:?}", included.block_hash),
            "extrinsic": format!("{:?}", included.extrinsic_hash),
            "events": included.contract_events.len(),
        }));
    }

    pub fn done(&mut self, outcome: String, value: &impl Out) {
        self.outcome = outcome;
        self.value = value.json();
    }
}

/// A call's return value as JSON; amounts as decimal strings (they exceed
/// what a JSON number holds exactly).
pub trait Out {
    fn json(&self) -> Value;
}

impl Out for () {
    fn json(&self) -> Value {
        Value::Null
    }
}

impl Out for u32 {
    fn json(&self) -> Value {
        json!(self)
    }
}

impl Out for u64 {
    fn json(&self) -> Value {
        json!(self)
    }
}

impl Out for u128 {
    fn json(&self) -> Value {
        json!(self.to_string())
    }
}

impl Out for (u128, u128) {
    fn json(&self) -> Value {
        json!([self.0.to_string(), self.1.to_string()])
    }
}

/// Everything one command did.
pub struct Report {
    json: bool,
    steps: Vec<Value>,
    notes: Vec<String>,
    value: Option<Value>,
}

impl Report {
    pub fn new(json: bool) -> Self {
        Self {
            json,
            steps: Vec::new(),
            notes: Vec::new(),
            value: None,
        }
    }

    /// A step, printed at once for people.
    pub fn step(&mut self, step: Step) {
        if !self.json {
            let gas = &step.dry_run["gas_required"];
            println!(
                "{}: dry run ok (gas {} ref_time / {} proof bytes, storage deposit {}, fee {})",
                step.call,
                gas["ref_time"],
                gas["proof_size"],
                if step.deposit < 0 {
                    format!("refund {}", native(step.deposit.unsigned_abs()))
                } else {
                    native(step.deposit.unsigned_abs())
                },
                native(step.fee),
            );
            match &step.included {
                Some(i) => println!(
                    "  in block #{} ({}): {}",
                    i["block"],
                    i["extrinsic"].as_str().unwrap_or(""),
                    step.outcome
                ),
                None => println!("  not sent (--dry-run): {}", step.outcome),
            }
        }
        self.steps.push(json!({
            "call": step.call,
            "dry_run": step.dry_run,
            "included": step.included,
            "outcome": step.outcome,
            "value": step.value,
        }));
    }

    pub fn note(&mut self, note: &str) {
        if !self.json {
            println!("{note}");
        }
        self.notes.push(note.to_owned());
    }

    /// A read's answer.
    pub fn value(&mut self, human: String, value: Value) {
        if !self.json {
            println!("{human}");
        }
        self.value = Some(value);
    }

    /// The JSON document (for `--json`), printed once at the end.
    pub fn finish(self) {
        if self.json {
            let doc = match self.value {
                Some(v) if self.steps.is_empty() => v,
                v => json!({ "steps": self.steps, "notes": self.notes, "value": v }),
            };
            println!("{doc}");
        }
    }
}

/// Native units (12 decimals) for fees.
fn native(v: u128) -> String {
    const UNIT: u128 = bizkey_chain::deploy::UNIT;
    let frac = format!("{:012}", v % UNIT);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        format!("{} UNIT", v / UNIT)
    } else {
        format!("{}.{frac} UNIT", v / UNIT)
    }
}
