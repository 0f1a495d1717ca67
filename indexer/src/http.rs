//! The operations endpoint: `GET /health`, `GET /metrics` (Prometheus) and
//! `POST /receipts/{id}/detail` (receipt detail ingestion).

use crate::metrics::Metrics;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bizkey_store::detail::{self, DetailError};
use sea_orm::DatabaseConnection;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

#[derive(Clone)]
struct AppState {
    db: DatabaseConnection,
    metrics: Arc<Metrics>,
}

/// The router (tests call it without a socket).
pub fn app(db: DatabaseConnection, metrics: Arc<Metrics>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics_text))
        .route("/receipts/{id}/detail", post(submit_detail))
        .with_state(AppState { db, metrics })
}

async fn health(State(s): State<AppState>) -> Response {
    let m = &s.metrics;
    let connected = m.connected.load(Relaxed);
    let body = serde_json::json!({
        "status": if connected { "ok" } else { "disconnected" },
        "head": m.head.load(Relaxed),
        "indexed_height": m.indexed.load(Relaxed),
        "lag": m.lag(),
    });
    let code = if connected {
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

async fn submit_detail(State(s): State<AppState>, Path(id): Path<i64>, body: String) -> Response {
    match detail::ingest(&s.db, id, &body).await {
        Ok(hash) => (
            StatusCode::OK,
            Json(serde_json::json!({ "receipt": id, "detail_hash": bizkey_store::hex0x(hash) })),
        )
            .into_response(),
        Err(e) => {
            let code = match e {
                DetailError::Invalid(_) => StatusCode::BAD_REQUEST,
                DetailError::UnknownReceipt(_) => StatusCode::NOT_FOUND,
                DetailError::HashMismatch { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                DetailError::Db(_) => StatusCode::INTERNAL_SERVER_ERROR,
            };
            (code, Json(serde_json::json!({ "error": e.to_string() }))).into_response()
        }
    }
}

/// Serves [`app`] on `addr` until `shutdown` turns true.
///
/// # Errors
/// Binding failures.
pub async fn serve(
    addr: std::net::SocketAddr,
    db: DatabaseConnection,
    metrics: Arc<Metrics>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, app(db, metrics))
        .with_graceful_shutdown(async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        })
        .await
}
