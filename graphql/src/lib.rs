//! Bizkey's GraphQL API over the index (DESIGN §6): accounts, merchants with
//! BizPower K-lines, receipts with fraud scores, tasks, proposals, super
//! nodes, vesting and the indexer's progress; live subscriptions; the
//! receipt-detail upload.
//!
//! [`schema`] builds the schema over a database connection (tests execute
//! it directly); [`app`] serves it with axum: GraphiQL at `/`, queries at
//! `/graphql`, subscriptions (graphql-ws and graphql-transport-ws) at
//! `/graphql/ws`, `/health` and `/metrics`; [`dapp::router`] adds the
//! dApp pages under `/app/`.

pub mod dapp;
pub mod documents;
pub mod enums;
pub mod error;
pub mod filter;
pub mod loader;
pub mod metrics;
pub mod page;
pub mod query;
pub mod scalar;
pub mod subscription;

use async_graphql::http::GraphiQLSource;
use async_graphql::{Context, Object, Schema, SimpleObject};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse, GraphQLSubscription};
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use error::ApiResult;
pub use query::Query;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr};
use std::sync::Arc;
use std::time::{Duration, Instant};
pub use subscription::Subscription;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;

/// The API's schema type.
pub type BizkeySchema = Schema<Query, Mutation, Subscription>;

/// Settings of the server and its limits.
#[derive(Clone, Debug)]
pub struct Config {
    /// `sqlite://path` or `postgres://…`: the indexer's database.
    pub database_url: String,
    /// Deepest query accepted.
    pub max_depth: usize,
    /// Most complex query accepted (a list counts its page size times its
    /// children).
    pub max_complexity: usize,
    /// Largest request body, bytes.
    pub body_limit: usize,
    /// PostgreSQL `statement_timeout`, ms.
    pub statement_timeout_ms: u64,
    /// Origins allowed by CORS; empty: any origin.
    pub cors_origins: Vec<String>,
    /// How often subscriptions look for new batches on SQLite (and the
    /// fallback on PostgreSQL, which notifies).
    pub poll: Duration,
    /// How long a batch loader keeps gathering keys after the executor has
    /// polled the other resolvers once; zero (the default): no longer.
    pub batch_delay: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://bizkey.db?mode=ro".into(),
            max_depth: 10,
            max_complexity: 5_000,
            body_limit: 64 * 1024,
            statement_timeout_ms: 5_000,
            cors_origins: Vec::new(),
            poll: Duration::from_millis(100),
            batch_delay: Duration::ZERO,
        }
    }
}

/// Opens the index for the API: on PostgreSQL every pooled connection runs
/// with the configured `statement_timeout`.
///
/// # Errors
/// Connection failures.
pub async fn connect(config: &Config) -> Result<DatabaseConnection, DbErr> {
    let mut url = config.database_url.clone();
    let pg = url.starts_with("postgres");
    if pg {
        let sep = if url.contains('?') { '&' } else { '?' };
        url.push_str(&format!(
            "{sep}options=-c%20statement_timeout%3D{}",
            config.statement_timeout_ms
        ));
    }
    let mut opts = ConnectOptions::new(url);
    opts.sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .max_connections(if pg { 16 } else { 4 });
    // SQLite: readers beside the indexer's writer in WAL mode; sqlx's
    // default busy timeout (5 s) covers the moments a checkpoint locks.
    Database::connect(opts).await
}

/// The schema over `db`, with its batch loaders and the subscriptions' hub
/// ([`subscription::Hub::start`]).
pub fn schema(db: DatabaseConnection, hub: subscription::Hub, config: &Config) -> BizkeySchema {
    let b = Schema::build(Query::default(), Mutation, Subscription)
        .limit_depth(config.max_depth)
        .limit_complexity(config.max_complexity)
        .data(hub);
    loader::register(b, &db, config.batch_delay)
        .data(db)
        .finish()
}

/// A receipt detail the index accepted.
#[derive(SimpleObject)]
pub struct DetailAccepted {
    pub receipt_id: i64,
    /// blake2-256 of the detail's canonical JSON: the receipt's `detailHash`.
    pub detail_hash: String,
}

pub struct Mutation;

#[Object]
impl Mutation {
    /// Attaches a receipt's off-chain detail (items, logistics, names: see
    /// `docs/sql.md`, `receipt_details`). Accepted only when the blake2-256
    /// of its canonical JSON equals the receipt's on-chain `detailHash`;
    /// uploading the same detail again is harmless.
    async fn submit_receipt_detail(
        &self,
        ctx: &Context<'_>,
        receipt_id: i64,
        #[graphql(desc = "The detail as JSON, in any formatting.")] detail: String,
    ) -> ApiResult<DetailAccepted> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let hash = bizkey_store::detail::ingest(db, receipt_id, &detail).await?;
        Ok(DetailAccepted {
            receipt_id,
            detail_hash: bizkey_store::hex0x(hash),
        })
    }
}

#[derive(Clone)]
struct AppState {
    schema: BizkeySchema,
    db: DatabaseConnection,
    hub: subscription::Hub,
    metrics: Arc<metrics::Metrics>,
    documents: documents::Documents,
}

/// The whole API over an open database: the subscriptions' hub, the schema
/// and the HTTP service (tests call the router without a socket).
pub fn app(db: DatabaseConnection, config: &Config) -> (BizkeySchema, Router) {
    let hub = subscription::Hub::start(db.clone(), config.poll);
    let schema = schema(db.clone(), hub.clone(), config);
    let router = router(schema.clone(), db, hub, config);
    (schema, router)
}

fn router(
    schema: BizkeySchema,
    db: DatabaseConnection,
    hub: subscription::Hub,
    config: &Config,
) -> Router {
    let cors = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([axum::http::header::CONTENT_TYPE]);
    let cors = if config.cors_origins.is_empty() {
        cors.allow_origin(AllowOrigin::any())
    } else {
        let origins: Vec<HeaderValue> = config
            .cors_origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o).ok())
            .collect();
        cors.allow_origin(origins)
    };
    let state = AppState {
        schema: schema.clone(),
        db,
        hub,
        metrics: Arc::default(),
        documents: documents::Documents::default(),
    };
    Router::new()
        .route("/", get(graphiql))
        .route("/graphql", get(graphql).post(graphql))
        .route_service("/graphql/ws", GraphQLSubscription::new(schema))
        .route("/health", get(health))
        .route("/metrics", get(metrics_text))
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(config.body_limit))
        .layer(cors)
}

async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .subscription_endpoint("/graphql/ws")
            .title("Bizkey GraphQL")
            .finish(),
    )
}

async fn graphql(State(s): State<AppState>, req: GraphQLRequest) -> GraphQLResponse {
    let started = Instant::now();
    let mut req = req.into_inner();
    s.documents.prepare(&mut req);
    let resp = s.schema.execute(req).await;
    s.metrics.record(started.elapsed(), resp.is_err());
    resp.into()
}

async fn health(State(s): State<AppState>) -> Response {
    match s.db.execute_unprepared("SELECT 1").await {
        Ok(_) => (StatusCode::OK, Json(serde_json::json!({ "status": "ok" }))).into_response(),
        Err(e) => {
            tracing::warn!("health: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "database unavailable" })),
            )
                .into_response()
        }
    }
}

async fn metrics_text(State(s): State<AppState>) -> Response {
    let subscribers = s.hub.subscribers();
    (
        [("content-type", "text/plain; version=0.0.4")],
        s.metrics.render(subscribers),
    )
        .into_response()
}
