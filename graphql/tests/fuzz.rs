//! 10,000 generated requests (random fields, depths, filters, cursors,
//! page sizes and malformed input) over HTTP: no panic, no 5xx, and every
//! over-limit query refused with a GraphQL error.

use crate::harness::{seed, ss58, Engine, TestDb};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tower::ServiceExt;

const RECEIPT_FIELDS: &[&str] = &[
    "id",
    "merchantAccount",
    "customerAccount",
    "openedBy",
    "orderId",
    "orderTime",
    "channel",
    "amount",
    "discount",
    "timePaid",
    "items",
    "detailHash",
    "status",
    "openedAt",
    "expiresAt",
    "confirmedAt",
    "maturesAt",
    "firstAtMerchant",
    "bizpower",
    "bizReward",
    "timeReward",
    "referralTime",
    "flaggedBy",
    "evidence",
    "openedBlock",
    "detail",
];
const MERCHANT_FIELDS: &[&str] = &[
    "account",
    "name",
    "category",
    "location",
    "areaSqft",
    "staff",
    "rentPerSqftDay",
    "wagePerDay",
    "licenceHash",
    "referrer",
    "timeShare",
    "status",
    "registeredAt",
    "verifiedAt",
    "bizpower",
];

struct Gen {
    rng: StdRng,
    cursors: Vec<String>,
}

impl Gen {
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.rng.random_range(0..xs.len())]
    }

    fn int(&mut self) -> String {
        match self.rng.random_range(0..6) {
            0 => "-1".into(),
            1 => "101".into(),
            2 => "2147483647".into(),
            3 => "\"x\"".into(),
            _ => self.rng.random_range(0..60).to_string(),
        }
    }

    fn account(&mut self) -> String {
        match self.rng.random_range(0..4) {
            0 => "\"not-an-account\"".into(),
            1 => "42".into(),
            _ => format!(
                "\"{}\"",
                ss58(self.rng.random_range(0..8) + if self.rng.random() { 1_000 } else { 0 })
            ),
        }
    }

    fn filter(&mut self, depth: u32) -> String {
        let mut parts = Vec::new();
        for _ in 0..self.rng.random_range(0..4) {
            let op = self.pick(&["eq", "ne", "gt", "gte", "lt", "lte", "in", "like"]);
            let part = match self.rng.random_range(0..7) {
                0 => format!(
                    "id: {{ {op}: {} }}",
                    if op == "in" {
                        format!("[{}, {}]", self.int(), self.int())
                    } else {
                        self.int()
                    }
                ),
                1 => format!(
                    "merchant: {{ {op}: {} }}",
                    if op == "in" {
                        format!("[{}]", self.account())
                    } else {
                        self.account()
                    }
                ),
                2 => format!(
                    "status: {{ {op}: {} }}",
                    self.pick(&[
                        "CONFIRMED",
                        "OPEN",
                        "FLAGGED",
                        "\"Confirmed\"",
                        "[CONFIRMED, REFUNDED]"
                    ])
                ),
                3 => format!(
                    "amount: {{ {op}: {} }}",
                    self.pick(&[
                        "\"100\"",
                        "\"1000000\"",
                        "\"-5\"",
                        "\"1e9\"",
                        "12",
                        "\"340282366920938463463374607431768211456\""
                    ])
                ),
                4 => format!("orderTime: {{ {op}: {} }}", self.int()),
                5 if depth < 6 => format!("and: [{}]", self.filter(depth + 1)),
                _ if depth < 6 => format!(
                    "or: [{}, {}]",
                    self.filter(depth + 1),
                    self.filter(depth + 1)
                ),
                _ => "channel: { eq: OUTSIDE }".into(),
            };
            parts.push(part);
        }
        format!("{{ {} }}", parts.join(", "))
    }

    fn page_args(&mut self) -> String {
        let mut args = Vec::new();
        if self.rng.random_bool(0.7) {
            args.push(format!("{}: {}", self.pick(&["first", "last"]), self.int()));
        }
        if self.rng.random_bool(0.4) {
            let c = match self.rng.random_range(0..3) {
                0 if !self.cursors.is_empty() => {
                    let i = self.rng.random_range(0..self.cursors.len());
                    self.cursors[i].clone()
                }
                1 => "WzEsMl0".into(),
                _ => "%%garbage%%".into(),
            };
            args.push(format!("{}: \"{c}\"", self.pick(&["after", "before"])));
        }
        if self.rng.random_bool(0.5) {
            args.push(format!("filter: {}", self.filter(0)));
        }
        if self.rng.random_bool(0.3) {
            args.push(format!(
                "orderBy: {}",
                self.pick(&[
                    "ID_ASC",
                    "ID_DESC",
                    "ORDER_TIME_ASC",
                    "OPENED_AT_DESC",
                    "NAME_ASC",
                    "BOGUS"
                ])
            ));
        }
        if args.is_empty() {
            String::new()
        } else {
            format!("({})", args.join(", "))
        }
    }

    fn fields(&mut self, of: &[&str], depth: u32) -> String {
        let mut out = Vec::new();
        for _ in 0..self.rng.random_range(1..5) {
            out.push(self.pick(of).to_owned());
        }
        if depth < 12 && self.rng.random_bool(0.5) {
            let nested = if of == RECEIPT_FIELDS {
                format!("merchant {{ {} }}", self.merchant(depth + 1))
            } else {
                format!(
                    "receipts{} {{ {} }}",
                    self.page_args(),
                    self.connection(depth + 1)
                )
            };
            out.push(nested);
        }
        if self.rng.random_bool(0.05) {
            out.push("noSuchField".into());
        }
        out.join(" ")
    }

    fn merchant(&mut self, depth: u32) -> String {
        let mut f = self.fields(MERCHANT_FIELDS, depth);
        if self.rng.random_bool(0.2) {
            f.push_str(&format!(
                " kline(interval: {}, from: {}, to: {}) {{ start close }}",
                self.pick(&["M1", "H1", "D1", "Y1"]),
                self.int(),
                self.pick(&["1700000000000", "0", "-5"])
            ));
        }
        f
    }

    fn connection(&mut self, depth: u32) -> String {
        let mut parts = vec![];
        if self.rng.random_bool(0.6) {
            parts.push(format!(
                "edges {{ cursor node {{ {} }} }}",
                self.fields(RECEIPT_FIELDS, depth)
            ));
        }
        if self.rng.random_bool(0.4) {
            parts.push(format!(
                "nodes {{ {} }}",
                self.fields(RECEIPT_FIELDS, depth)
            ));
        }
        if self.rng.random_bool(0.5) {
            parts.push("pageInfo { hasNextPage hasPreviousPage startCursor endCursor }".into());
        }
        if self.rng.random_bool(0.3) {
            parts.push("totalCount".into());
        }
        if parts.is_empty() {
            parts.push("totalCount".into());
        }
        parts.join(" ")
    }

    fn query(&mut self) -> String {
        match self.rng.random_range(0..8) {
            0..=2 => format!("{{ receipts{} {{ {} }} }}", self.page_args(), self.connection(0)),
            3 => format!("{{ merchants{} {{ nodes {{ {} }} totalCount }} }}", self.page_args().replace("filter:", "filterX:"), self.merchant(0)),
            4 => format!("{{ merchant(account: {}) {{ {} }} }}", self.account(), self.merchant(0)),
            5 => format!(
                "{{ account(address: {}) {{ address biz time rewardTotals {{ claimableTime }} rewards(limit: {}) {{ amount status }} lock {{ amount }} purchases{} {{ {} }} }} }}",
                self.account(),
                self.int(),
                self.page_args(),
                self.connection(0)
            ),
            6 => format!("{{ receipt(id: {}) {{ {} statusHistory {{ status }} fraudScore {{ score }} }} }}", self.int(), self.fields(RECEIPT_FIELDS, 0)),
            _ => self.pick(&[
                "{ indexerStatus { head lag } }",
                "{ tasks(first: 3) { nodes { id participants { customer } } } }",
                "{ proposals { nodes { id votes { voter } } totalCount } }",
                "{ superNodes { account status } vesting { allocation } }",
                "{ __schema { types { name } } }",
                "query { receipts(first: 1) { ... on ReceiptConnection { totalCount } } }",
                "{ receipts(",
                "",
                "mutation { submitReceiptDetail(receiptId: 1, detail: \"{\") { detailHash } }",
                "subscription { receiptConfirmed { id } }",
            ])
            .to_owned(),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_generated_requests_no_panic_no_5xx() {
    let db = TestDb::new(Engine::Sqlite).await.unwrap();
    seed(&db.writer().await, 4, 6, 60).await;
    let (_, router) = db.api().await;
    let mut g = Gen {
        rng: StdRng::seed_from_u64(9),
        cursors: Vec::new(),
    };
    let (mut ok, mut refused, mut limits) = (0, 0, 0);
    for i in 0..10_000 {
        let q = g.query();
        let req = match i % 50 {
            // Malformed bodies and methods.
            0 => Request::post("/graphql")
                .header("content-type", "application/json")
                .body(Body::from("{\"query\": ")),
            1 => Request::post("/graphql")
                .header("content-type", "application/json")
                .body(Body::from(vec![b'x'; 100_000])),
            2 => Request::get(format!("/graphql?query={}", urlencode(&q))).body(Body::empty()),
            3 => Request::post("/graphql")
                .header("content-type", "text/plain")
                .body(Body::from(q.clone())),
            _ => Request::post("/graphql")
                .header("content-type", "application/json")
                .body(Body::from(
                    serde_json::json!({ "query": q, "variables": { "x": i } }).to_string(),
                )),
        }
        .unwrap();
        let resp = router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        assert!(status.as_u16() < 500, "{status} for {q}");
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        if status != StatusCode::OK {
            refused += 1;
            continue;
        }
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_else(|e| {
            panic!("not JSON ({e}) for {q}: {}", String::from_utf8_lossy(&body))
        });
        match v["errors"].as_array() {
            Some(errs) => {
                refused += 1;
                let text = serde_json::to_string(errs).unwrap();
                assert!(!text.contains("internal error"), "{q}: {text}");
                if text.contains("too deep")
                    || text.contains("too complex")
                    || text.contains("complex")
                {
                    limits += 1;
                }
            }
            None => ok += 1,
        }
        // Keep some real cursors for later requests.
        collect_cursors(&v, &mut g.cursors);
        g.cursors.truncate(200);
    }
    eprintln!("{ok} answered, {refused} refused ({limits} by depth or complexity)");
    assert!(
        ok > 1_000 && refused > 1_000 && limits > 10,
        "{ok} / {refused} / {limits}: the generator lost its spread"
    );
}

fn collect_cursors(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    ("cursor" | "endCursor" | "startCursor", serde_json::Value::String(s)) => {
                        out.push(s.clone())
                    }
                    _ => collect_cursors(v, out),
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| collect_cursors(v, out)),
        _ => {}
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
