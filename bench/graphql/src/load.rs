//! A bounded HTTP/1.1 load generator for GraphQL servers on loopback.
//!
//! `concurrency` workers each keep one keep-alive connection and take
//! request slots from one shared counter:
//!
//! - closed loop (no rate): a worker sends its next request as soon as the
//!   previous one is answered, so the figure is the server's throughput at
//!   that many requests in flight;
//! - open loop (`rate` requests/s): slot `k` is due at `start + k / rate`; a
//!   worker waits for its slot's time, and a request's latency counts from
//!   that due time, not from when it was sent, so a server that falls
//!   behind sees its queueing in the figures (no coordinated omission).
//!
//! Request `k` sends body `k mod n` of the `n` bodies given (several
//! bodies: the same query over different keys, so that a server cannot
//! serve concurrent requests from one lookup). Every answer must be `200`
//! with a JSON body holding `data` and no `errors`; more than 1 % of
//! failures stops the run.

use crate::stats::Summary;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{CONTENT_TYPE, HOST};
use hyper::{Request, StatusCode, Uri};
use hyper_util::rt::TokioIo;
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::time::Instant;

/// Longest run accepted.
pub const MAX_DURATION: Duration = Duration::from_secs(600);
/// Most requests of one run.
pub const MAX_REQUESTS: u64 = 10_000_000;
/// Most workers.
pub const MAX_CONCURRENCY: usize = 1_024;
/// Failure share that stops a run.
pub const MAX_FAILURE_RATIO: f64 = 0.01;
/// Answers seen before the failure share is judged.
const JUDGE_AFTER: u64 = 100;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("bad URL {0:?}: expected http://<loopback IP>:<port>/<path>")]
    BadUrl(String),
    #[error("{0} is not a loopback address: this tool only loads servers on this machine")]
    NotLoopback(String),
    #[error("bad bound: {0}")]
    BadBound(String),
    #[error("request body {0} is not JSON: {1}")]
    BadBody(usize, #[source] serde_json::Error),
    #[error("no request body")]
    NoBody,
    #[error("{failures} of {done} requests failed (more than 1 %); first failure: {first}")]
    TooManyFailures {
        failures: u64,
        done: u64,
        first: String,
        /// Figures up to the stop.
        report: Box<Report>,
    },
}

/// One run's settings.
#[derive(Clone, Debug)]
pub struct LoadConfig {
    /// `http://127.0.0.1:port/path`.
    pub url: String,
    /// The POST bodies (GraphQL requests as JSON), sent in turn.
    pub bodies: Vec<Bytes>,
    pub concurrency: usize,
    /// Stop after this many requests…
    pub requests: u64,
    /// …or after this long, whichever comes first.
    pub duration: Duration,
    /// Requests per second (open loop); `None`: closed loop.
    pub rate: Option<f64>,
}

/// The figures of a run, printed as JSON.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Report {
    /// `closed` or `open`.
    pub mode: &'static str,
    pub concurrency: usize,
    pub target_rate: Option<f64>,
    /// Requests answered (good or not).
    pub requests: u64,
    pub failures: u64,
    pub seconds: f64,
    /// Good answers per second.
    pub rps: f64,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Mean size of a good answer's body.
    pub response_bytes: u64,
}

/// Where requests go.
#[derive(Debug)]
struct Target {
    addr: SocketAddr,
    authority: String,
    path: String,
}

impl Target {
    fn parse(url: &str) -> Result<Self, LoadError> {
        let bad = || LoadError::BadUrl(url.to_owned());
        let uri: Uri = url.parse().map_err(|_| bad())?;
        if uri.scheme_str() != Some("http") {
            return Err(bad());
        }
        let authority = uri.authority().ok_or_else(bad)?;
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        let ip: IpAddr = host
            .parse()
            .map_err(|_| LoadError::NotLoopback(host.to_owned()))?;
        if !ip.is_loopback() {
            return Err(LoadError::NotLoopback(host.to_owned()));
        }
        let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
        Ok(Self {
            addr: SocketAddr::new(ip, authority.port_u16().unwrap_or(80)),
            authority: authority.as_str().to_owned(),
            path,
        })
    }
}

/// Checks the bounds; returns the target.
fn validate(cfg: &LoadConfig) -> Result<Target, LoadError> {
    let target = Target::parse(&cfg.url)?;
    if cfg.bodies.is_empty() {
        return Err(LoadError::NoBody);
    }
    for (i, b) in cfg.bodies.iter().enumerate() {
        serde_json::from_slice::<IgnoredAny>(b).map_err(|e| LoadError::BadBody(i, e))?;
    }
    if !(1..=MAX_CONCURRENCY).contains(&cfg.concurrency) {
        return Err(LoadError::BadBound(format!(
            "concurrency must be 1..={MAX_CONCURRENCY}"
        )));
    }
    if !(1..=MAX_REQUESTS).contains(&cfg.requests) {
        return Err(LoadError::BadBound(format!(
            "requests must be 1..={MAX_REQUESTS}"
        )));
    }
    if cfg.duration.is_zero() || cfg.duration > MAX_DURATION {
        return Err(LoadError::BadBound(format!(
            "duration must be within (0, {}] s",
            MAX_DURATION.as_secs()
        )));
    }
    if let Some(r) = cfg.rate {
        if !(r.is_finite() && r > 0.0 && r <= 1e6) {
            return Err(LoadError::BadBound("rate must be within (0, 1e6]".into()));
        }
    }
    Ok(target)
}

/// Shared state of the workers.
struct Plan {
    target: Target,
    bodies: Vec<Bytes>,
    requests: u64,
    start: Instant,
    deadline: Instant,
    rate: Option<f64>,
    next: AtomicU64,
    done: AtomicU64,
    failures: AtomicU64,
    stop: AtomicBool,
    first_failure: Mutex<Option<String>>,
}

impl Plan {
    /// Due time of slot `k`: now in a closed loop.
    fn due(&self, k: u64) -> Instant {
        match self.rate {
            Some(r) => self.start + Duration::from_secs_f64(k as f64 / r),
            None => Instant::now(),
        }
    }

    fn fail(&self, why: String) {
        let failures = self.failures.fetch_add(1, Ordering::Relaxed) + 1;
        let done = self.done.load(Ordering::Relaxed);
        if let Ok(mut first) = self.first_failure.lock() {
            first.get_or_insert(why);
        }
        if done >= JUDGE_AFTER && failures as f64 > MAX_FAILURE_RATIO * done as f64 {
            self.stop.store(true, Ordering::Relaxed);
        }
    }
}

/// What one worker measured.
#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    bytes: u64,
    last_done: Option<Instant>,
}

/// Runs the load and returns its figures.
///
/// # Errors
/// Bad settings, or more than 1 % of failed requests.
pub async fn run(cfg: &LoadConfig) -> Result<Report, LoadError> {
    let target = validate(cfg)?;
    let start = Instant::now();
    let plan = Arc::new(Plan {
        target,
        bodies: cfg.bodies.clone(),
        requests: cfg.requests,
        start,
        deadline: start + cfg.duration,
        rate: cfg.rate,
        next: AtomicU64::new(0),
        done: AtomicU64::new(0),
        failures: AtomicU64::new(0),
        stop: AtomicBool::new(false),
        first_failure: Mutex::new(None),
    });
    let workers: Vec<_> = (0..cfg.concurrency)
        .map(|_| tokio::spawn(worker(plan.clone())))
        .collect();
    let mut all = Tally::default();
    for w in workers {
        // A worker only ends by returning its tally.
        let t = w.await.unwrap_or_default();
        all.latencies_us.extend(t.latencies_us);
        all.bytes += t.bytes;
        all.last_done = all.last_done.max(t.last_done);
    }
    let done = plan.done.load(Ordering::Relaxed);
    let failures = plan.failures.load(Ordering::Relaxed);
    let report = report(cfg, all, done, failures, start);
    if done > 0 && failures as f64 > MAX_FAILURE_RATIO * done as f64 {
        let first = plan
            .first_failure
            .lock()
            .ok()
            .and_then(|f| f.clone())
            .unwrap_or_default();
        return Err(LoadError::TooManyFailures {
            failures,
            done,
            first,
            report: Box::new(report),
        });
    }
    Ok(report)
}

fn report(cfg: &LoadConfig, mut all: Tally, done: u64, failures: u64, start: Instant) -> Report {
    let seconds = all
        .last_done
        .map_or(0.0, |t| t.duration_since(start).as_secs_f64());
    let ok = all.latencies_us.len() as u64;
    let s = Summary::of(&mut all.latencies_us);
    let ms = |us: u64| us as f64 / 1e3;
    Report {
        mode: if cfg.rate.is_some() { "open" } else { "closed" },
        concurrency: cfg.concurrency,
        target_rate: cfg.rate,
        requests: done,
        failures,
        seconds,
        rps: if seconds > 0.0 {
            ok as f64 / seconds
        } else {
            0.0
        },
        mean_ms: s.mean_us / 1e3,
        p50_ms: ms(s.p50_us),
        p90_ms: ms(s.p90_us),
        p99_ms: ms(s.p99_us),
        max_ms: ms(s.max_us),
        response_bytes: all.bytes.checked_div(ok).unwrap_or(0),
    }
}

async fn worker(plan: Arc<Plan>) -> Tally {
    let mut tally = Tally::default();
    let mut conn: Option<SendRequest<Full<Bytes>>> = None;
    loop {
        if plan.stop.load(Ordering::Relaxed) {
            break;
        }
        let k = plan.next.fetch_add(1, Ordering::Relaxed);
        let due = plan.due(k);
        if k >= plan.requests || due >= plan.deadline {
            break;
        }
        tokio::time::sleep_until(due).await;
        let body = plan.bodies[(k % plan.bodies.len() as u64) as usize].clone();
        let result = exchange(&plan, &mut conn, body).await;
        let now = Instant::now();
        plan.done.fetch_add(1, Ordering::Relaxed);
        tally.last_done = Some(now);
        match result {
            Ok(bytes) => {
                let us = now.duration_since(due).as_micros();
                tally
                    .latencies_us
                    .push(u64::try_from(us).unwrap_or(u64::MAX));
                tally.bytes += bytes;
            }
            Err(why) => {
                conn = None;
                plan.fail(why);
            }
        }
    }
    tally
}

/// The answer's `data` must be there and its `errors` must not.
#[derive(Deserialize)]
struct Reply {
    data: Option<IgnoredAny>,
    errors: Option<IgnoredAny>,
}

/// The bodies of a body file: the whole text when it is one JSON value
/// (pretty-printed or not), else one body per non-empty line (JSON Lines).
pub fn bodies(text: &str) -> Vec<Bytes> {
    if serde_json::from_str::<IgnoredAny>(text).is_ok() {
        return vec![Bytes::from(text.trim().to_owned())];
    }
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| Bytes::from(l.to_owned()))
        .collect()
}

/// Checks a GraphQL answer's body.
pub fn check_reply(body: &[u8]) -> Result<(), String> {
    let reply: Reply = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
    if reply.errors.is_some() {
        let text = String::from_utf8_lossy(&body[..body.len().min(300)]);
        return Err(format!("GraphQL errors: {text}"));
    }
    if reply.data.is_none() {
        return Err("no data".into());
    }
    Ok(())
}

/// One request on the worker's connection (opened on first use or after a
/// failure); the good answer's body size, or why it failed.
async fn exchange(
    plan: &Plan,
    conn: &mut Option<SendRequest<Full<Bytes>>>,
    body: Bytes,
) -> Result<u64, String> {
    let sender = match conn {
        Some(s) if !s.is_closed() => s,
        _ => conn.insert(connect(plan.target.addr).await?),
    };
    sender
        .ready()
        .await
        .map_err(|e| format!("connection: {e}"))?;
    let req = Request::post(plan.target.path.as_str())
        .header(HOST, plan.target.authority.as_str())
        .header(CONTENT_TYPE, "application/json")
        .body(Full::new(body))
        .map_err(|e| format!("request: {e}"))?;
    let resp = sender
        .send_request(req)
        .await
        .map_err(|e| format!("send: {e}"))?;
    let status = resp.status();
    let body = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("body: {e}"))?
        .to_bytes();
    if status != StatusCode::OK {
        let text = String::from_utf8_lossy(&body[..body.len().min(300)]);
        return Err(format!("HTTP {status}: {text}"));
    }
    check_reply(&body)?;
    Ok(body.len() as u64)
}

async fn connect(addr: SocketAddr) -> Result<SendRequest<Full<Bytes>>, String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect {addr}: {e}"))?;
    stream
        .set_nodelay(true)
        .map_err(|e| format!("nodelay: {e}"))?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    tokio::spawn(async move {
        // Ends when the sender is dropped or the server closes.
        let _ = connection.await;
    });
    Ok(sender)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_targets() {
        assert!(Target::parse("http://127.0.0.1:8080/graphql").is_ok());
        assert!(Target::parse("http://[::1]:5000/graphql").is_ok());
        assert!(matches!(
            Target::parse("http://10.0.0.1:8080/graphql"),
            Err(LoadError::NotLoopback(_))
        ));
        assert!(matches!(
            Target::parse("http://example.com/graphql"),
            Err(LoadError::NotLoopback(_))
        ));
        assert!(matches!(
            Target::parse("https://127.0.0.1/graphql"),
            Err(LoadError::BadUrl(_))
        ));
        let t = Target::parse("http://127.0.0.1:5000/graphql?x=1").unwrap();
        assert_eq!((t.addr.port(), t.path.as_str()), (5000, "/graphql?x=1"));
    }

    #[test]
    fn body_files_hold_one_value_or_json_lines() {
        assert_eq!(bodies("{\n  \"query\": \"{ a }\"\n}\n").len(), 1);
        let two = bodies("{\"query\":\"{ a }\"}\n\n{\"query\":\"{ b }\"}\n");
        assert_eq!(
            two,
            vec![&b"{\"query\":\"{ a }\"}"[..], &b"{\"query\":\"{ b }\"}"[..]]
        );
        // A broken line stays a body: the run refuses it up front.
        assert_eq!(bodies("{\"query\":\"{ a }\"}\nnope").len(), 2);
    }

    #[test]
    fn replies_with_errors_or_without_data_fail() {
        assert!(check_reply(br#"{"data":{"a":1}}"#).is_ok());
        assert!(check_reply(br#"{"data":null,"errors":[{"message":"x"}]}"#).is_err());
        assert!(check_reply(br#"{"data":{"a":null},"errors":[]}"#).is_err());
        assert!(check_reply(br#"{"errors":null}"#).is_err());
        assert!(check_reply(b"<html>").is_err());
    }
}
