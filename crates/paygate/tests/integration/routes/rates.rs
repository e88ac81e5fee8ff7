//! The live rate source against a local server speaking Binance's ticker format, and the KYC
//! gate outside sandbox mode.

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::harness::*;

/// Serves `body` to every request and records the request lines.
async fn ticker_server(body: &'static str) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or_default().to_owned();
                log.lock().unwrap().push(req);
                let res = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(res.as_bytes()).await;
            });
        }
    });
    (url, seen)
}

const TICKER: &str = r#"[{"symbol":"BTCUSDT","price":"64123.45000000"},{"symbol":"ETHUSDT","price":"3012.10000000"},{"symbol":"EURUSDT","price":"1.08120000"}]"#;

#[tokio::test]
async fn live_rates_from_a_binance_format_source() {
    let (url, seen) = ticker_server(TICKER).await;
    let app = TestApp::start_with(
        Backend::Sqlite,
        Options {
            extra: vec![
                ("PAYGATE_NETWORK_MODE", "test".into()),
                ("PAYGATE_RATES_URL", url),
                ("PAYGATE_KYC_REQUIRED", "off".into()),
            ],
            ..Options::default()
        },
    )
    .await;
    assert_eq!(app.services.refresh_rates().await.unwrap(), 3);
    let request = seen.lock().unwrap()[0].clone();
    assert!(request.starts_with("GET /api/v3/ticker/price?symbols="), "{request}");
    assert!(request.contains("BTCUSDT") && request.contains("TRXUSDT"), "{request}");
    let m = app.merchant("live@example.com").await;
    let usdt = fund(&app, m.owner_id, 6, "100").await;
    let btc = fund(&app, m.owner_id, 3, "0.5").await;
    let me = app.as_user(&m.token);
    let g = me.get("/api/balance/general").await;
    assert_eq!(g.ok(200)["code"], "USDT");
    assert_eq!(g.body["amount"].to_string(), "32161.725", "100 + 0.5 × 64123.45, exact");
    let q = me.get(&format!("/api/transfer/exchange/course?from_balance_id={btc}&to_balance_id={usdt}")).await;
    assert_eq!(q.ok(200)["rate"].to_string(), "63482.2155", "64123.45 less 1 %");
    let (email, secret) = app.operator("live-ops@example.com").await;
    let op = app.as_user(&app.operator_token(&email, &secret).await);
    let rates = op.get("/admin/rate").await;
    let live = rates
        .ok(200)
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["from_coin_id"] == 3 && r["to_coin_id"] == 6)
        .unwrap()
        .clone();
    assert_eq!((live["source"].clone(), live["rate"].to_string()), (json!("provider"), "64123.45".to_owned()));
    // a static rate wins over the live one
    op.put("/admin/rate", json!({"from_coin_id": 3, "to_coin_id": 6, "rate": 60000})).await.ok(204);
    let q = me.get(&format!("/api/transfer/exchange/course?from_balance_id={btc}&to_balance_id={usdt}")).await;
    assert_eq!(q.ok(200)["rate"].to_string(), "59400");
}

#[tokio::test]
async fn stale_live_rates_are_refused() {
    let (url, _) = ticker_server(TICKER).await;
    let app = TestApp::start_with(
        Backend::Sqlite,
        Options {
            extra: vec![
                ("PAYGATE_NETWORK_MODE", "test".into()),
                ("PAYGATE_RATES_URL", url),
                ("PAYGATE_RATES_MAX_AGE", "0".into()),
                ("PAYGATE_KYC_REQUIRED", "off".into()),
            ],
            ..Options::default()
        },
    )
    .await;
    app.services.refresh_rates().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let m = app.merchant("stale@example.com").await;
    let usdt = fund(&app, m.owner_id, 6, "1").await;
    let btc = fund(&app, m.owner_id, 3, "1").await;
    let me = app.as_user(&m.token);
    me.get(&format!("/api/transfer/exchange/course?from_balance_id={btc}&to_balance_id={usdt}")).await.err(500, 5001);
    assert_eq!(me.get("/api/balance/general").await.ok(200)["unconverted_coin_ids"], json!([3]));
}

#[tokio::test]
async fn a_source_that_is_down_is_reported() {
    let app = TestApp::start_with(
        Backend::Sqlite,
        Options {
            extra: vec![("PAYGATE_NETWORK_MODE", "test".into()), ("PAYGATE_RATES_URL", "http://127.0.0.1:9".into())],
            ..Options::default()
        },
    )
    .await;
    let e = app.services.refresh_rates().await.unwrap_err();
    assert_eq!(e.code(), paygate_core::ErrorCode::DependencyUnavailable);
    assert!(!app.services.rates_healthy());
}

#[tokio::test]
async fn kyc_gate_outside_sandbox() {
    let app = TestApp::start_with(
        Backend::Sqlite,
        Options { extra: vec![("PAYGATE_NETWORK_MODE", "test".into())], ..Options::default() },
    )
    .await;
    let a = app.merchant("kyc-a@example.com").await;
    let b = app.merchant("kyc-b@example.com").await;
    let from = fund(&app, a.owner_id, 1, "10").await;
    let body =
        json!({"amount": 1, "from_balance_id": from, "order_id": "k1", "product_id": 1, "to_owner_id": b.owner_id});
    app.as_user(&a.token).post("/api/transfer", body.clone()).await.err(403, 4031);
    let mut c = app.services.store.conn().await.unwrap();
    paygate_store::testing::execute(&mut c, &format!("UPDATE owners SET kyc_status = 2 WHERE id = {}", a.owner_id))
        .await
        .unwrap();
    drop(c);
    // the recipient is not approved either
    let check = app.as_user(&a.token).post("/api/transfer/check/recipient", json!({"to_owner_id": b.owner_id})).await;
    assert_eq!(check.ok(200)["can_receive"], false);
    app.as_user(&a.token).post("/api/transfer", body.clone()).await.err(422, 4227);
    let mut c = app.services.store.conn().await.unwrap();
    paygate_store::testing::execute(&mut c, &format!("UPDATE owners SET kyc_status = 2 WHERE id = {}", b.owner_id))
        .await
        .unwrap();
    drop(c);
    app.as_user(&a.token).post("/api/transfer", body).await.ok(204);
    // no sandbox chain in test mode; USD needs an operator rate here
    assert_eq!(
        app.api()
            .get("/currency/chain")
            .await
            .ok(200)
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [2, 3, 5, 7, 8]
    );
}
