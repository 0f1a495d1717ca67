//! The dApp pages beside the API: the built files of `dapp/` (the customer
//! wallet and the merchant console) under `/app/`, and what they need to
//! find the chain under `/app/config.json` (the node's URL, the chain's
//! genesis hash and each contract's address, from the deployment manifest)
//! and `/app/abi/{name}.json` (each contract's metadata, from its bundle
//! without the Wasm code). Nothing here signs: the pages sign in the
//! browser, through the wallet extension.

use axum::extract::{Path as UrlPath, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// Why the pages cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum DappError {
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a deployment manifest: {source}")]
    Manifest {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{path}: not a contract bundle: {source}")]
    Bundle {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{0}: no index.html of a page (build the pages: scripts/build-dapp.sh)")]
    NotBuilt(PathBuf),
}

/// The fields of `bizkey deploy`'s manifest the pages use.
#[derive(Deserialize)]
struct Manifest {
    genesis_hash: String,
    node_url: String,
    contracts: Vec<Contract>,
}

#[derive(Deserialize)]
struct Contract {
    name: String,
    address: String,
    bundle: PathBuf,
}

/// Where the pages and the chain are.
#[derive(Clone, Debug)]
pub struct DappConfig {
    /// The built pages (`dapp/dist`).
    pub dir: PathBuf,
    /// `bizkey deploy --out`'s manifest.
    pub manifest: PathBuf,
    /// The node's WebSocket URL as a browser reaches it; default: the
    /// manifest's.
    pub node_url: Option<String>,
}

struct Pages {
    dir: PathBuf,
    config: serde_json::Value,
    /// Contract name → its metadata (the bundle without `source.wasm`).
    abis: BTreeMap<String, serde_json::Value>,
}

fn read(path: &Path) -> Result<String, DappError> {
    std::fs::read_to_string(path).map_err(|source| DappError::Read {
        path: path.to_owned(),
        source,
    })
}

/// Loads the manifest and the bundles once, at start.
///
/// # Errors
/// A missing or malformed manifest or bundle, or pages never built.
pub fn router(cfg: &DappConfig) -> Result<Router, DappError> {
    let dir = cfg.dir.canonicalize().map_err(|source| DappError::Read {
        path: cfg.dir.clone(),
        source,
    })?;
    for page in ["wallet", "console"] {
        let index = dir.join(page).join("index.html");
        if !index.is_file() {
            return Err(DappError::NotBuilt(index));
        }
    }
    let manifest: Manifest =
        serde_json::from_str(&read(&cfg.manifest)?).map_err(|source| DappError::Manifest {
            path: cfg.manifest.clone(),
            source,
        })?;
    let base = cfg.manifest.parent().unwrap_or(Path::new("."));
    let mut abis = BTreeMap::new();
    for c in &manifest.contracts {
        // A relative bundle path is relative to the manifest.
        let path = base.join(&c.bundle);
        let mut bundle: serde_json::Value =
            serde_json::from_str(&read(&path)?).map_err(|source| DappError::Bundle {
                path: path.clone(),
                source,
            })?;
        // The Wasm is most of a bundle and the pages never deploy.
        if let Some(source) = bundle.get_mut("source").and_then(|s| s.as_object_mut()) {
            source.remove("wasm");
        }
        abis.insert(c.name.clone(), bundle);
    }
    let config = serde_json::json!({
        "nodeUrl": cfg.node_url.clone().unwrap_or(manifest.node_url),
        "genesisHash": manifest.genesis_hash,
        "graphql": "/graphql",
        "graphqlWs": "/graphql/ws",
        "contracts": manifest.contracts.iter()
            .map(|c| (c.name.clone(), serde_json::Value::from(c.address.clone())))
            .collect::<serde_json::Map<_, _>>(),
    });
    let pages = Arc::new(Pages { dir, config, abis });
    Ok(Router::new()
        .route("/app", get(|| async { Redirect::permanent("/app/") }))
        .route(
            "/app/",
            get(|| async { Redirect::temporary("/app/wallet/") }),
        )
        .route("/app/config.json", get(config_json))
        .route("/app/abi/{name}", get(abi_json))
        .route("/app/{*path}", get(file))
        .with_state(pages))
}

async fn config_json(State(p): State<Arc<Pages>>) -> Response {
    Json(p.config.clone()).into_response()
}

async fn abi_json(State(p): State<Arc<Pages>>, UrlPath(name): UrlPath<String>) -> Response {
    let name = name.strip_suffix(".json").unwrap_or(&name);
    match p.abis.get(name) {
        Some(abi) => Json(abi.clone()).into_response(),
        None => (StatusCode::NOT_FOUND, "no such contract").into_response(),
    }
}

/// The content type of a built file, by its extension.
fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("wasm") => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// A file under the pages' directory; a directory serves its `index.html`.
/// Only plain path segments are followed: no `..`, no absolute paths.
async fn file(State(p): State<Arc<Pages>>, UrlPath(rel): UrlPath<String>) -> Response {
    let rel = Path::new(&rel);
    if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let mut path = p.dir.join(rel);
    if path.is_dir() {
        path.push("index.html");
    }
    match tokio::fs::read(&path).await {
        Ok(body) => {
            // Vite fingerprints its assets; the pages themselves must not be
            // cached past a rebuild.
            let cache = if path.extension().is_some_and(|e| e == "html") {
                "no-cache"
            } else {
                "public, max-age=31536000, immutable"
            };
            (
                [
                    (header::CONTENT_TYPE, content_type(&path)),
                    (header::CACHE_CONTROL, cache),
                ],
                body,
            )
                .into_response()
        }
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}
