//! The operations endpoint: `GET /health` and `GET /metrics` (Prometheus).
//! Receipt details are uploaded through the GraphQL API (`bizkey-graphql`).

use crate::metrics::Metrics;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

#[derive(Clone)]
struct AppState {
    metrics: Arc<Metrics>,
}

/// The router (tests call it without a socket).
pub fn app(metrics: Arc<Metrics>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics_text))
        .with_state(AppState { metrics })
}

/// 200 when [`Metrics::health`] is ok, else 503 with its reasons.
async fn health(State(s): State<AppState>) -> Response {
    let m = &s.metrics;
    let now = bizkey_store::unix_ms();
    let h = m.health(now);
    let body = serde_json::json!({
        "status": h.status,
        "reasons": h.reasons,
        "head": m.head.load(Relaxed),
        "indexed_height": m.indexed.load(Relaxed),
        "lag": m.lag(),
        "lag_ms": m.lag_ms(now),
        "challenge_window_ms": m.challenge_ms.load(Relaxed),
        "flag_failures_in_a_row": m.flag_failures_in_a_row.load(Relaxed),
    });
    let code = if h.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(body)).into_response()
}

async fn metrics_text(State(s): State<AppState>) -> Response {
    (
        [("content-type", "text/plain; version=0.0.4")],
        s.metrics.render(),
    )
        .into_response()
}

/// Serves [`app`] on `addr` until `shutdown` turns true.
///
/// # Errors
/// Binding failures.
pub async fn serve(
    addr: std::net::SocketAddr,
    metrics: Arc<Metrics>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, app(metrics))
        .with_graceful_shutdown(async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        })
        .await
}
