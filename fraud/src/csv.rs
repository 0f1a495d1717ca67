//! The raw-receipt CSV: the simulator's output, the training export's input, the `score` CLI's input.
//!
//! Schema (a header line is required and must be exactly this; fields are plain, unquoted, comma-free):
//!
//! ```text
//! receipt_id,order_time_ms,merchant,merchant_category,customer,customer_referrer,channel,amount_cents,time_deducted,item_count,label
//! ```
//!
//! | column | type | meaning |
//! |--------|------|---------|
//! | `receipt_id` | string, unique | the receipt (on chain: merchant + order id) |
//! | `order_time_ms` | u64 | order time, ms since the Unix epoch |
//! | `merchant` | string | merchant account (the simulator writes `m<index>`) |
//! | `merchant_category` | string | `restaurant`, `cafe`, … (any label; used as an opaque key) |
//! | `customer` | string | customer account (the simulator writes `c<index>`) |
//! | `customer_referrer` | string, may be empty | the customer's referrer (a customer account) |
//! | `channel` | `in_store` or `outside` | sold in store, or an outside sale / delivery |
//! | `amount_cents` | u64 | amount in cents |
//! | `time_deducted` | u64 ≤ `amount_cents` | part of the amount paid in Time, in cents |
//! | `item_count` | u32 ≥ 1 | items on the receipt |
//! | `label` | `0`, `1` or empty | 1 for brushing; empty when unknown |
//!
//! Rows may come in any order; feature computation sorts them by time (see [`crate::pipeline`]).
//! Account strings are interned into dense ids in order of first appearance.
//!
//! Beside it, the fundings CSV (optional; [`read_fundings`]) gives each account's first native tokens:
//!
//! ```text
//! time_ms,funder,account
//! ```
//!
//! | column | type | meaning |
//! |--------|------|---------|
//! | `time_ms` | u64 | time of the transfer, ms since the Unix epoch |
//! | `funder` | string | the sending account (any account: the simulator writes `x<k>` for exchanges, `m`, `c` for merchants and customers, `o` and `e` for the wallets of brushing schemes and employers) |
//! | `account` | string | the customer account funded (the receipts' `customer` spelling) |

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use crate::receipt::{Channel, Funding, Receipt};
use crate::sim::{Funder, Simulation};

/// The header line's columns.
pub const COLUMNS: [&str; 11] = [
    "receipt_id",
    "order_time_ms",
    "merchant",
    "merchant_category",
    "customer",
    "customer_referrer",
    "channel",
    "amount_cents",
    "time_deducted",
    "item_count",
    "label",
];

/// The header line's columns of a fundings CSV.
pub const FUNDING_COLUMNS: [&str; 3] = ["time_ms", "funder", "account"];

/// A malformed receipt or fundings CSV. Line numbers count from 1, the header being line 1.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    #[error("reading receipts: {0}")]
    Io(#[from] io::Error),
    #[error("the input is empty; a header line is required")]
    MissingHeader,
    #[error("line 1: the header must be `{expected}`, found `{found}`")]
    BadHeader { expected: String, found: String },
    #[error("line {line}: expected {expected} fields, found {found}")]
    FieldCount {
        line: usize,
        expected: usize,
        found: usize,
    },
    #[error("line {line}: column `{column}` is empty")]
    Empty { line: usize, column: &'static str },
    #[error("line {line}: column `{column}`: `{value}` is not {expected}")]
    Invalid {
        line: usize,
        column: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("line {line}: time_deducted {deducted} is more than amount_cents {amount}")]
    DeductedOverAmount {
        line: usize,
        deducted: u64,
        amount: u64,
    },
    #[error("line {line}: receipt_id `{id}` was already used on line {first_line}")]
    DuplicateId {
        line: usize,
        id: String,
        first_line: usize,
    },
}

/// A receipt or fundings file that cannot be opened or read.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct FileError {
    pub path: PathBuf,
    #[source]
    pub source: CsvError,
}

/// Reads a receipt CSV file and, when given, its fundings CSV file.
///
/// # Errors
/// [`FileError`] naming the file that failed.
pub fn read_files(receipts: &Path, fundings: Option<&Path>) -> Result<Dataset, FileError> {
    let open = |path: &Path| {
        File::open(path).map(BufReader::new).map_err(|e| FileError {
            path: path.to_owned(),
            source: CsvError::Io(e),
        })
    };
    let mut ds = read(open(receipts)?).map_err(|source| FileError {
        path: receipts.to_owned(),
        source,
    })?;
    if let Some(path) = fundings {
        read_fundings(open(path)?, &mut ds).map_err(|source| FileError {
            path: path.to_owned(),
            source,
        })?;
    }
    Ok(ds)
}

/// Maps account strings to dense ids.
#[derive(Debug, Clone, Default)]
pub struct Interner {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    /// The id of `name`, assigning the next one if new.
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.ids.insert(name.to_owned(), id);
        self.names.push(name.to_owned());
        id
    }

    /// The id of `name`, if seen.
    pub fn get(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    /// The name of `id`.
    pub fn name(&self, id: u32) -> Option<&str> {
        self.names.get(id as usize).map(String::as_str)
    }

    /// Number of distinct names.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// No names yet.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// A parsed receipt CSV, rows in file order.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    pub receipt_ids: Vec<String>,
    pub receipts: Vec<Receipt>,
    pub labels: Vec<Option<bool>>,
    pub merchants: Interner,
    /// Customers and referrers share one id space (a referrer is a customer).
    pub customers: Interner,
    pub categories: Interner,
    /// From [`read_fundings`], in file order.
    pub fundings: Vec<Funding>,
    pub funders: Interner,
}

impl Dataset {
    /// The labels when every row has one.
    pub fn complete_labels(&self) -> Option<Vec<bool>> {
        self.labels.iter().copied().collect()
    }
}

fn parse_num<T: std::str::FromStr>(
    line: usize,
    column: &'static str,
    s: &str,
    expected: &'static str,
) -> Result<T, CsvError> {
    if s.is_empty() {
        return Err(CsvError::Empty { line, column });
    }
    s.parse().map_err(|_| CsvError::Invalid {
        line,
        column,
        value: s.to_owned(),
        expected,
    })
}

fn non_empty<'a>(line: usize, column: &'static str, s: &'a str) -> Result<&'a str, CsvError> {
    if s.is_empty() {
        Err(CsvError::Empty { line, column })
    } else {
        Ok(s)
    }
}

/// Checks the header line against `columns`, then calls `row` with the line number and the fields of each
/// non-blank line (CRLF accepted), after checking their count.
fn for_each_row<R: BufRead>(
    input: R,
    columns: &[&str],
    mut row: impl FnMut(usize, &[&str]) -> Result<(), CsvError>,
) -> Result<(), CsvError> {
    let mut lines = input.lines();
    let header = lines.next().ok_or(CsvError::MissingHeader)??;
    let header = header.trim_end_matches('\r');
    let expected = columns.join(",");
    if header != expected {
        return Err(CsvError::BadHeader {
            expected,
            found: header.to_owned(),
        });
    }
    for (i, text) in lines.enumerate() {
        let line = i + 2;
        let text = text?;
        let text = text.trim_end_matches('\r');
        if text.is_empty() {
            continue;
        }
        let f: Vec<&str> = text.split(',').collect();
        if f.len() != columns.len() {
            return Err(CsvError::FieldCount {
                line,
                expected: columns.len(),
                found: f.len(),
            });
        }
        row(line, &f)?;
    }
    Ok(())
}

/// Parses a fundings CSV into `ds`: accounts are interned with the receipts' customers (read the receipts
/// first), funders into [`Dataset::funders`].
///
/// # Errors
/// [`CsvError`] for I/O failures and for the first malformed line, with its number.
pub fn read_fundings<R: BufRead>(input: R, ds: &mut Dataset) -> Result<(), CsvError> {
    for_each_row(input, &FUNDING_COLUMNS, |line, f| {
        let time_ms = parse_num(line, "time_ms", f[0], "a time in ms (unsigned integer)")?;
        let funder = ds.funders.intern(non_empty(line, "funder", f[1])?);
        let account = ds.customers.intern(non_empty(line, "account", f[2])?);
        ds.fundings.push(Funding {
            time_ms,
            funder,
            account,
        });
        Ok(())
    })
}

/// Parses a receipt CSV.
///
/// # Errors
/// [`CsvError`] for I/O failures and for the first malformed line, with its number.
pub fn read<R: BufRead>(input: R) -> Result<Dataset, CsvError> {
    let mut ds = Dataset::default();
    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    for_each_row(input, &COLUMNS, |line, f| {
        let id = non_empty(line, "receipt_id", f[0])?;
        if let Some(&first_line) = seen_ids.get(id) {
            return Err(CsvError::DuplicateId {
                line,
                id: id.to_owned(),
                first_line,
            });
        }
        let order_time_ms = parse_num(
            line,
            "order_time_ms",
            f[1],
            "a time in ms (unsigned integer)",
        )?;
        let merchant = ds.merchants.intern(non_empty(line, "merchant", f[2])?);
        let category = ds
            .categories
            .intern(non_empty(line, "merchant_category", f[3])?);
        let customer = ds.customers.intern(non_empty(line, "customer", f[4])?);
        let referrer = (!f[5].is_empty()).then(|| ds.customers.intern(f[5]));
        let channel =
            Channel::parse(non_empty(line, "channel", f[6])?).ok_or_else(|| CsvError::Invalid {
                line,
                column: "channel",
                value: f[6].to_owned(),
                expected: "`in_store` or `outside`",
            })?;
        let amount_cents: u64 = parse_num(
            line,
            "amount_cents",
            f[7],
            "an amount in cents (unsigned integer)",
        )?;
        let time_deducted: u64 = parse_num(
            line,
            "time_deducted",
            f[8],
            "an amount in cents (unsigned integer)",
        )?;
        if time_deducted > amount_cents {
            return Err(CsvError::DeductedOverAmount {
                line,
                deducted: time_deducted,
                amount: amount_cents,
            });
        }
        let item_count: u32 =
            parse_num(line, "item_count", f[9], "an item count (positive integer)")?;
        if item_count == 0 {
            return Err(CsvError::Invalid {
                line,
                column: "item_count",
                value: f[9].to_owned(),
                expected: "an item count (positive integer)",
            });
        }
        let label = match f[10] {
            "" => None,
            "0" => Some(false),
            "1" => Some(true),
            other => {
                return Err(CsvError::Invalid {
                    line,
                    column: "label",
                    value: other.to_owned(),
                    expected: "0, 1 or empty",
                })
            }
        };
        seen_ids.insert(id.to_owned(), line);
        ds.receipt_ids.push(id.to_owned());
        ds.receipts.push(Receipt {
            order_time_ms,
            merchant,
            category,
            customer,
            referrer,
            channel,
            amount_cents,
            time_deducted,
            item_count,
        });
        ds.labels.push(label);
        Ok(())
    })?;
    Ok(ds)
}

/// One row to write, with the accounts already spelled out.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub receipt_id: &'a str,
    pub merchant: &'a str,
    pub category: &'a str,
    pub customer: &'a str,
    pub referrer: Option<&'a str>,
    pub receipt: &'a Receipt,
    pub label: Option<bool>,
}

/// Writes the header line.
///
/// # Errors
/// I/O errors of `w`.
pub fn write_header<W: Write>(w: &mut W) -> io::Result<()> {
    writeln!(w, "{}", COLUMNS.join(","))
}

/// Writes one row.
///
/// # Errors
/// I/O errors of `w`.
pub fn write_row<W: Write>(w: &mut W, row: &Row<'_>) -> io::Result<()> {
    let r = row.receipt;
    writeln!(
        w,
        "{},{},{},{},{},{},{},{},{},{},{}",
        row.receipt_id,
        r.order_time_ms,
        row.merchant,
        row.category,
        row.customer,
        row.referrer.unwrap_or(""),
        r.channel.as_str(),
        r.amount_cents,
        r.time_deducted,
        r.item_count,
        match row.label {
            Some(true) => "1",
            Some(false) => "0",
            None => "",
        }
    )
}

/// Writes a whole simulation with its labels: accounts as `m<index>` and `c<index>`, receipts as `r<index>`.
///
/// # Errors
/// I/O errors of `w`.
pub fn write_simulation<W: Write>(w: &mut W, sim: &Simulation) -> io::Result<()> {
    write_header(w)?;
    for s in &sim.receipts {
        let r = &s.receipt;
        let category = sim.merchants[r.merchant as usize].category.as_str();
        write_row(
            w,
            &Row {
                receipt_id: &format!("r{}", s.receipt_id),
                merchant: &format!("m{}", r.merchant),
                category,
                customer: &format!("c{}", r.customer),
                referrer: r.referrer.map(|c| format!("c{c}")).as_deref(),
                receipt: r,
                label: Some(s.label()),
            },
        )?;
    }
    Ok(())
}

/// Writes a simulation's fundings (see [`FUNDING_COLUMNS`]), accounts spelled as [`write_simulation`] does.
///
/// # Errors
/// I/O errors of `w`.
pub fn write_fundings<W: Write>(w: &mut W, sim: &Simulation) -> io::Result<()> {
    writeln!(w, "{}", FUNDING_COLUMNS.join(","))?;
    for f in &sim.fundings {
        let funder = match f.funder {
            Funder::Exchange(k) => format!("x{k}"),
            Funder::Merchant(m) => format!("m{m}"),
            Funder::Customer(c) => format!("c{c}"),
            Funder::Operator(s) => format!("o{s}"),
            Funder::Employer(g) => format!("e{g}"),
        };
        writeln!(w, "{},{funder},c{}", f.time_ms, f.account)?;
    }
    Ok(())
}
