//! The dApp pages beside the API: the built files, the config the pages
//! read (node URL, genesis hash, contract addresses from the manifest), each
//! contract's metadata without its Wasm, and nothing outside the pages'
//! directory.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use bizkey_graphql::dapp::{router, DappConfig, DappError};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::path::Path;
use tower::ServiceExt;

/// Built pages, a bundle and a manifest naming it (relative path).
fn fixture(dir: &Path) -> DappConfig {
    let dist = dir.join("dist");
    for page in ["wallet", "console"] {
        std::fs::create_dir_all(dist.join(page)).unwrap();
        std::fs::write(
            dist.join(page).join("index.html"),
            format!("<!doctype html><title>{page}</title>"),
        )
        .unwrap();
    }
    std::fs::create_dir_all(dist.join("assets")).unwrap();
    std::fs::write(dist.join("assets/app-1234.js"), "export const x = 1;").unwrap();
    std::fs::write(dir.join("secret.txt"), "not for the web").unwrap();
    let bundle = json!({
        "source": { "hash": "0x01", "language": "ink! 5.1.1", "wasm": "0x0061736d" },
        "contract": { "name": "ledger" },
        "spec": { "messages": [] },
    });
    std::fs::create_dir_all(dir.join("bundles")).unwrap();
    std::fs::write(dir.join("bundles/ledger.contract"), bundle.to_string()).unwrap();
    let manifest = json!({
        "version": 1,
        "genesis_hash": "0xabcd",
        "node_url": "ws://127.0.0.1:9944",
        "deployment_block": 1,
        "deployer": "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
        "contracts": [{
            "name": "ledger",
            "address": "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty",
            "code_hash": "0x01",
            "bundle": "bundles/ledger.contract",
            "instantiated_at": 1,
        }],
    });
    std::fs::write(dir.join("deployment.json"), manifest.to_string()).unwrap();
    DappConfig {
        dir: dist,
        manifest: dir.join("deployment.json"),
        node_url: None,
    }
}

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, String, Vec<u8>) {
    let resp = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let ctype = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, ctype, body)
}

#[tokio::test]
async fn serves_the_pages_their_config_and_the_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = fixture(dir.path());
    let app = router(&cfg).unwrap();

    let (s, ctype, body) = get(&app, "/app/wallet/").await;
    assert_eq!(s, StatusCode::OK);
    assert!(ctype.starts_with("text/html"), "{ctype}");
    assert!(String::from_utf8(body)
        .unwrap()
        .contains("<title>wallet</title>"));
    let (s, _, body) = get(&app, "/app/console/index.html").await;
    assert_eq!(s, StatusCode::OK);
    assert!(String::from_utf8(body).unwrap().contains("console"));
    let (s, ctype, _) = get(&app, "/app/assets/app-1234.js").await;
    assert_eq!(s, StatusCode::OK);
    assert!(ctype.starts_with("text/javascript"), "{ctype}");
    let (s, _, _) = get(&app, "/app/").await;
    assert!(s.is_redirection());

    let (s, _, body) = get(&app, "/app/config.json").await;
    assert_eq!(s, StatusCode::OK);
    let config: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(config["nodeUrl"], "ws://127.0.0.1:9944");
    assert_eq!(config["genesisHash"], "0xabcd");
    assert_eq!(config["graphqlWs"], "/graphql/ws");
    assert_eq!(
        config["contracts"]["ledger"],
        "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"
    );

    let (s, _, body) = get(&app, "/app/abi/ledger.json").await;
    assert_eq!(s, StatusCode::OK);
    let abi: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(abi["contract"]["name"], "ledger");
    assert_eq!(abi["source"]["language"], "ink! 5.1.1");
    assert!(abi["source"].get("wasm").is_none(), "the Wasm stays home");
    assert_eq!(
        get(&app, "/app/abi/nothing.json").await.0,
        StatusCode::NOT_FOUND
    );

    // Nothing outside the pages' directory, however the path is spelled.
    for uri in [
        "/app/../secret.txt",
        "/app/%2e%2e/secret.txt",
        "/app/assets/%2e%2e/%2e%2e/secret.txt",
        "/app/%2fetc%2fpasswd",
        "/app/missing.js",
    ] {
        let (s, _, body) = get(&app, uri).await;
        assert!(
            s == StatusCode::NOT_FOUND || s == StatusCode::BAD_REQUEST,
            "{uri}: {s}"
        );
        assert!(
            !String::from_utf8_lossy(&body).contains("not for the web"),
            "{uri}"
        );
    }

    // The browser's node URL can differ from the one the deployer used.
    let app = router(&DappConfig {
        node_url: Some("ws://chain.example:9944".into()),
        ..cfg
    })
    .unwrap();
    let config: Value = serde_json::from_slice(&get(&app, "/app/config.json").await.2).unwrap();
    assert_eq!(config["nodeUrl"], "ws://chain.example:9944");
}

#[tokio::test]
async fn refuses_to_start_without_built_pages_or_a_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = fixture(dir.path());
    std::fs::remove_file(cfg.dir.join("console/index.html")).unwrap();
    assert!(matches!(router(&cfg), Err(DappError::NotBuilt(_))));

    let dir = tempfile::tempdir().unwrap();
    let cfg = fixture(dir.path());
    std::fs::write(&cfg.manifest, "{}").unwrap();
    assert!(matches!(router(&cfg), Err(DappError::Manifest { .. })));
}
