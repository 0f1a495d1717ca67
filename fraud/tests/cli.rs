//! The binaries, run as a user would.

use std::path::PathBuf;
use std::process::Command;

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bizkey-fraud-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

#[test]
fn simulate_then_score_writes_every_row_and_prints_metrics() {
    let csv = temp("receipts.csv");
    let scores = temp("scores.csv");
    let out = Command::new(env!("CARGO_BIN_EXE_simulate"))
        .args([
            "--seed",
            "31",
            "--merchants",
            "40",
            "--customers",
            "2000",
            "--days",
            "14",
            "--output",
        ])
        .arg(&csv)
        .output()
        .expect("run simulate");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = Command::new(env!("CARGO_BIN_EXE_score"))
        .arg("--input")
        .arg(&csv)
        .arg("--output")
        .arg(&scores)
        .output()
        .expect("run score");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("model:        ROC-AUC"), "{stderr}");
    assert!(stderr.contains("shopee rule:  ROC-AUC"), "{stderr}");

    let input = std::fs::read_to_string(&csv).expect("csv");
    let output = std::fs::read_to_string(&scores).expect("scores");
    let mut out_lines = output.lines();
    assert_eq!(out_lines.next(), Some("receipt_id,score"));
    let mut rows = 0;
    for (inp, outp) in input.lines().skip(1).zip(out_lines) {
        let id = inp.split(',').next().expect("id");
        let (oid, score) = outp.split_once(',').expect("two columns");
        assert_eq!(id, oid);
        let s: f32 = score.parse().expect("a number");
        assert!((0.0..=1.0).contains(&s));
        rows += 1;
    }
    assert_eq!(rows, input.lines().count() - 1);
    assert_eq!(output.lines().count(), input.lines().count());
}

#[test]
fn score_reports_a_malformed_csv_with_its_line() {
    let csv = temp("bad.csv");
    std::fs::write(
        &csv,
        format!(
            "{}\nr1,1767196800000,m1,cafe,c1,,in_store,3500,0,2,0\nr2,x,m1,cafe,c1,,in_store,3500,0,2,0\n",
            bizkey_fraud::csv::COLUMNS.join(",")
        ),
    )
    .expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_score"))
        .arg("--input")
        .arg(&csv)
        .args(["--output", "-"])
        .output()
        .expect("run score");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 3: column `order_time_ms`"),
        "{stderr}"
    );
}

#[test]
fn export_writes_a_matrix_with_labels() {
    let csv = temp("export.csv");
    let npy = temp("export.npy");
    let sim = bizkey_fraud::sim::simulate(&bizkey_fraud::sim::SimConfig::new(4, 10, 300, 3));
    let mut buf = Vec::new();
    bizkey_fraud::csv::write_simulation(&mut buf, &sim).expect("write");
    std::fs::write(&csv, buf).expect("write");
    let fundings = temp("export.fundings.csv");
    let mut buf = Vec::new();
    bizkey_fraud::csv::write_fundings(&mut buf, &sim).expect("write");
    std::fs::write(&fundings, buf).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_export"))
        .arg("--input")
        .arg(&csv)
        .arg("--fundings")
        .arg(&fundings)
        .arg("--output")
        .arg(&npy)
        .output()
        .expect("run export");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&npy).expect("npy");
    let hlen = usize::from(u16::from_le_bytes([bytes[8], bytes[9]]));
    let cols = bizkey_fraud::features::N_FEATURES + 1;
    assert_eq!(bytes.len() - 10 - hlen, sim.receipts.len() * cols * 4);
    let cell = |row: usize, col: usize| {
        let at = 10 + hlen + (row * cols + col) * 4;
        f32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"))
    };
    // The label column of each row matches the simulation.
    for (i, r) in sim.receipts.iter().enumerate() {
        assert_eq!(cell(i, cols - 1), if r.label() { 1.0 } else { 0.0 });
    }
    // The fundings reached the features.
    let fanout = bizkey_fraud::features::FEATURE_NAMES
        .iter()
        .position(|&n| n == "funder_fanout")
        .expect("a feature");
    assert!((0..sim.receipts.len()).any(|i| cell(i, fanout) > 0.0));
    let mut meta = npy.into_os_string();
    meta.push(".json");
    let meta = std::fs::read_to_string(meta).expect("meta");
    assert!(
        meta.contains("\"funder_fanout\"")
            && meta.contains(&format!("\"label_column\": {}", cols - 1)),
        "{meta}"
    );
}
