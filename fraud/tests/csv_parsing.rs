use bizkey_fraud::csv::{self, CsvError, COLUMNS, FUNDING_COLUMNS};
use bizkey_fraud::pipeline::feature_matrix;
use bizkey_fraud::receipt::Channel;
use bizkey_fraud::sim::{simulate, SimConfig};

const ROW: &str = "r1,1767196800000,m1,cafe,c1,,in_store,3500,0,2,0";

fn parse(body: &str) -> Result<csv::Dataset, CsvError> {
    csv::read(format!("{}\n{body}", COLUMNS.join(",")).as_bytes())
}

#[test]
fn parses_a_valid_file_with_and_without_labels() {
    let ds = parse(&format!(
        "{ROW}\nr2,1767196900000,m2,bakery,c2,c1,outside,1200,100,1,\n"
    ))
    .expect("valid");
    assert_eq!(ds.receipt_ids, ["r1", "r2"]);
    assert_eq!(ds.labels, [Some(false), None]);
    assert_eq!(ds.complete_labels(), None);
    let r = ds.receipts[1];
    assert_eq!(r.channel, Channel::Outside);
    assert_eq!(
        (r.amount_cents, r.time_deducted, r.item_count),
        (1200, 100, 1)
    );
    // The referrer c1 is the customer of row 1.
    assert_eq!(r.referrer, Some(ds.receipts[0].customer));
    assert_eq!(ds.customers.name(ds.receipts[1].customer), Some("c2"));
}

#[test]
fn crlf_and_trailing_blank_lines_are_accepted() {
    let text = format!("{}\r\n{ROW}\r\n\r\n", COLUMNS.join(","));
    let ds = csv::read(text.as_bytes()).expect("valid");
    assert_eq!(ds.complete_labels(), Some(vec![false]));
}

#[test]
fn header_is_required() {
    assert!(matches!(
        csv::read("".as_bytes()),
        Err(CsvError::MissingHeader)
    ));
    let err = csv::read(format!("{ROW}\n").as_bytes()).expect_err("no header");
    assert!(matches!(err, CsvError::BadHeader { .. }), "{err}");
    // Columns in another order are not the schema either.
    let err = csv::read("order_time_ms,receipt_id\n".as_bytes()).expect_err("bad header");
    assert!(
        err.to_string()
            .starts_with("line 1: the header must be `receipt_id,order_time_ms,"),
        "{err}"
    );
}

#[test]
fn errors_name_the_line_and_column() {
    let cases: [(&str, &str); 9] = [
        (
            "r2,1,m1,cafe,c1,,in_store,3500,0,2",
            "line 3: expected 11 fields, found 10",
        ),
        (
            "r2,soon,m1,cafe,c1,,in_store,3500,0,2,0",
            "line 3: column `order_time_ms`: `soon` is not a time in ms",
        ),
        (
            "r2,1,m1,cafe,c1,,online,3500,0,2,0",
            "line 3: column `channel`: `online` is not `in_store` or `outside`",
        ),
        (
            "r2,1,m1,cafe,c1,,in_store,,0,2,0",
            "line 3: column `amount_cents` is empty",
        ),
        (
            "r2,1,m1,cafe,c1,,in_store,-5,0,2,0",
            "line 3: column `amount_cents`: `-5` is not an amount",
        ),
        (
            "r2,1,m1,cafe,c1,,in_store,3500,0,2,yes",
            "line 3: column `label`: `yes` is not 0, 1 or empty",
        ),
        (
            "r2,1,m1,cafe,c1,,in_store,3500,4000,2,0",
            "line 3: time_deducted 4000 is more than amount_cents 3500",
        ),
        (
            "r2,1,m1,cafe,,,in_store,3500,0,2,0",
            "line 3: column `customer` is empty",
        ),
        (
            "r2,1,m1,cafe,c1,,in_store,3500,0,0,0",
            "line 3: column `item_count`: `0` is not an item count",
        ),
    ];
    for (row, expected) in cases {
        let err = parse(&format!("{ROW}\n{row}\n")).expect_err(row);
        assert!(
            err.to_string().starts_with(expected),
            "{row}: got `{err}`, expected `{expected}…`"
        );
    }
}

#[test]
fn duplicate_receipt_ids_are_refused() {
    let err = parse(&format!("{ROW}\n\n{ROW}\n")).expect_err("duplicate");
    match err {
        CsvError::DuplicateId {
            line,
            id,
            first_line,
        } => {
            assert_eq!((line, id.as_str(), first_line), (4, "r1", 2));
        }
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn simulation_round_trips_through_csv_with_identical_features() {
    let sim = simulate(&SimConfig::new(9, 20, 800, 7));
    let mut buf = Vec::new();
    csv::write_simulation(&mut buf, &sim).expect("write");
    let mut ds = csv::read(buf.as_slice()).expect("read back");
    let mut fundings = Vec::new();
    csv::write_fundings(&mut fundings, &sim).expect("write");
    csv::read_fundings(fundings.as_slice(), &mut ds).expect("read back");
    assert_eq!(ds.fundings.len(), sim.customers.len());
    assert_eq!(ds.receipts.len(), sim.receipts.len());
    let labels: Vec<bool> = sim.receipts.iter().map(|r| r.label()).collect();
    assert_eq!(ds.complete_labels(), Some(labels));
    for (s, r) in sim.receipts.iter().zip(&ds.receipts) {
        assert_eq!(
            ds.merchants.name(r.merchant),
            Some(format!("m{}", s.receipt.merchant).as_str())
        );
        assert_eq!(
            ds.customers.name(r.customer),
            Some(format!("c{}", s.receipt.customer).as_str())
        );
        assert_eq!(r.amount_cents, s.receipt.amount_cents);
        assert_eq!(r.order_time_ms, s.receipt.order_time_ms);
    }
    // Interned ids differ from the simulator's, but features do not depend on id values.
    let direct: Vec<_> = sim.receipts.iter().map(|s| s.receipt).collect();
    assert_eq!(
        feature_matrix(&ds.receipts, &ds.fundings),
        feature_matrix(&direct, &sim.funding_events())
    );
}

#[test]
fn rows_out_of_time_order_get_the_same_features() {
    let sim = simulate(&SimConfig::new(10, 20, 800, 5));
    let mut buf = Vec::new();
    csv::write_simulation(&mut buf, &sim).expect("write");
    let text = String::from_utf8(buf).expect("utf8");
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    lines.reverse();
    let reversed = format!("{header}\n{}\n", lines.join("\n"));
    let fwd = csv::read(text.as_bytes()).expect("read");
    let rev = csv::read(reversed.as_bytes()).expect("read");
    let f_fwd = feature_matrix(&fwd.receipts, &[]);
    let f_rev = feature_matrix(&rev.receipts, &[]);
    let n = f_fwd.len();
    // Rows sharing a timestamp are processed in file order, so only their own features may differ.
    let mut per_time = std::collections::HashMap::new();
    for r in &fwd.receipts {
        *per_time.entry(r.order_time_ms).or_insert(0) += 1;
    }
    let mut compared = 0;
    for i in 0..n {
        if per_time[&fwd.receipts[i].order_time_ms] == 1 {
            assert_eq!(f_fwd[i], f_rev[n - 1 - i], "row {i}");
            compared += 1;
        }
    }
    assert!(compared > n * 9 / 10, "{compared} of {n}");
}

#[test]
fn fundings_join_the_receipts_accounts_and_errors_name_the_line() {
    let mut ds = parse(&format!("{ROW}\n")).expect("valid");
    let header = FUNDING_COLUMNS.join(",");
    csv::read_fundings(
        format!("{header}\r\n1767196700000,x0,c1\n1767196750000,c1,c9\n\n").as_bytes(),
        &mut ds,
    )
    .expect("valid");
    assert_eq!(ds.fundings.len(), 2);
    // c1 is the receipt's customer; c1 as a funder lives in the funders' space.
    assert_eq!(ds.fundings[0].account, ds.receipts[0].customer);
    assert_eq!(ds.funders.name(ds.fundings[1].funder), Some("c1"));
    assert_eq!(ds.customers.name(ds.fundings[1].account), Some("c9"));

    let cases: [(&str, &str); 4] = [
        ("1,x0", "line 2: expected 3 fields, found 2"),
        ("1,,c1", "line 2: column `funder` is empty"),
        (
            "soon,x0,c1",
            "line 2: column `time_ms`: `soon` is not a time in ms",
        ),
        ("1,x0,", "line 2: column `account` is empty"),
    ];
    for (row, message) in cases {
        let err =
            csv::read_fundings(format!("{header}\n{row}\n").as_bytes(), &mut ds).expect_err(row);
        assert!(err.to_string().starts_with(message), "{row}: {err}");
    }
    let err = csv::read_fundings(ROW.as_bytes(), &mut ds).expect_err("no header");
    assert!(
        err.to_string()
            .starts_with("line 1: the header must be `time_ms,funder,account`"),
        "{err}"
    );
}
