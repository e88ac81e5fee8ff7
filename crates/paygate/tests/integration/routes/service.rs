//! Service endpoints and the transport rules every route shares (§1.1, §1.2, §1.4, §5.4).

use reqwest::Method;
use serde_json::json;

use crate::backend_tests;
use crate::harness::*;

backend_tests! {
    async fn health_metrics_openapi_docs(app) {
        let api = app.api();
        assert_eq!(api.get("/health/live").await.ok(200).clone(), json!({"status": "ok"}));
        let ready = api.get("/health/ready").await;
        assert_eq!(ready.ok(200)["checks"]["database"], "ok");
        assert_eq!(ready.body["checks"]["migrations"], "ok");
        assert_eq!(ready.body["checks"]["chains"]["sandbox"], "ok");
        api.get("/api/country").await;
        let metrics = api.raw(Method::GET, "/metrics", None).await;
        assert_eq!(metrics.status, 200);
        assert_eq!(metrics.header("content-type"), Some("text/plain; version=0.0.4"));
        let text = String::from_utf8(metrics.raw.clone()).unwrap();
        assert!(text.contains("http_requests_total{route=\"/health/ready\",method=\"GET\",status=\"200\"}"), "{text}");
        assert!(text.contains("http_request_duration_seconds_bucket"));
        let doc = api.get("/openapi.json").await;
        assert!(doc.ok(200)["paths"]["/api/personal/psw/otp/check"]["post"].is_object());
        let docs = api.raw(Method::GET, "/docs", None).await;
        assert_eq!(docs.status, 200);
        let html = String::from_utf8(docs.raw).unwrap();
        assert!(html.contains("swagger-ui") && html.contains("<base href=\"/docs/\">"));
        assert!(!html.contains("https://"), "no external resource");
        let init = api.raw(Method::GET, "/docs/swagger-initializer.js", None).await;
        assert!(String::from_utf8(init.raw).unwrap().contains("/openapi.json"));
        assert_eq!(api.raw(Method::GET, "/docs/swagger-ui-bundle.js", None).await.status, 200);
    }

    async fn envelope_for_transport_errors(app) {
        let api = app.api();
        let r = api.get("/no/such/route").await;
        r.err(404, 4009);
        assert!(r.header("x-request-id").is_some());
        // a known path with another method is an unknown route too
        api.send(Method::DELETE, "/auth/sign-in", None).await.err(404, 4009);
        // path normalisation
        api.post("//auth//sign-in/", json!({"email": "n@example.com", "password": "whatever it is"})).await.err(404, 4014);
        // media type, malformed JSON, duplicate keys, not an object, size
        let r = api.raw(Method::POST, "/auth/sign-in", Some(("text/plain", b"{}".to_vec()))).await;
        r.err(415, 4150);
        api.raw(Method::POST, "/auth/sign-in", Some(("application/json", b"{\"email\":".to_vec()))).await.err(400, 4001);
        api.raw(Method::POST, "/auth/sign-in", Some(("application/json; charset=utf-8", br#"{"email":"a@example.com","email":"b@example.com","password":"x"}"#.to_vec()))).await.err(400, 4001);
        api.raw(Method::POST, "/auth/sign-in", Some(("application/json", b"[1,2]".to_vec()))).await.err(400, 4001);
        let big = format!("{{\"email\":\"{}\"}}", "a".repeat(1024 * 1024 + 10));
        api.raw(Method::POST, "/auth/sign-in", Some(("application/json", big.into_bytes()))).await.err(413, 4130);
        // an empty body reads as {}
        api.raw(Method::POST, "/auth/sign-in", None).await.err(400, 4002);
        // strings are trimmed
        api.post("/auth/sign-in", json!({"email": "  n@example.com  ", "password": "whatever it is"})).await.err(404, 4014);
    }

    async fn request_id_is_echoed_or_generated(app) {
        let r = app.api().with_header("X-Request-Id", "abc.DEF_123-x").get("/health/live").await;
        assert_eq!(r.header("x-request-id"), Some("abc.DEF_123-x"));
        let r = app.api().with_header("X-Request-Id", "bad id!").get("/health/live").await;
        let id = r.header("x-request-id").unwrap();
        assert!(id != "bad id!" && !id.is_empty());
        assert_eq!(r.header("cache-control"), Some("no-store"));
    }

    async fn readiness_fails_without_the_schema(app) {
        let mut c = app.services.store.conn().await.unwrap();
        paygate_store::testing::execute(&mut c, "DELETE FROM _sqlx_migrations").await.unwrap();
        let r = app.api().get("/health/ready").await;
        r.err(500, 5002);
        assert_eq!(r.field(), Some("migrations"));
    }
}

#[tokio::test]
async fn mail_without_smtp_goes_to_the_mail_directory() {
    let app = TestApp::start_with(Backend::Sqlite, Options { smtp: false, ..Options::default() }).await;
    app.api().post("/auth/sign-up/email/get-code", json!({"email": "eml@example.com"})).await.ok(204);
    let dir = app.data_dir.path().join("mail");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let files: Vec<_> = std::fs::read_dir(&dir).map(|d| d.flatten().collect()).unwrap_or_default();
        assert!(files.iter().all(|f| f.path().extension().is_some_and(|e| e == "eml" || e == "partial")));
        if let Some(f) = files.iter().find(|f| f.path().extension().is_some_and(|e| e == "eml")) {
            let text = std::fs::read_to_string(f.path()).unwrap();
            assert!(
                text.contains("To: eml@example.com") && text.contains("Subject: paygate: Confirm your e-mail address"),
                "{text}"
            );
            assert!(text.contains("Your sign-up code"));
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no .eml written");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn metrics_token_when_configured() {
    let app = TestApp::start_with(
        Backend::Sqlite,
        Options { extra: vec![("PAYGATE_METRICS_TOKEN", "m".repeat(20))], ..Options::default() },
    )
    .await;
    app.api().raw(Method::GET, "/metrics", None).await.err(401, 4010);
    app.api().with_token("wrong").raw(Method::GET, "/metrics", None).await.err(401, 4011);
    assert_eq!(app.api().with_token(&"m".repeat(20)).raw(Method::GET, "/metrics", None).await.status, 200);
}

#[tokio::test]
async fn cors_public_for_anyone_cabinet_for_configured_origins() {
    let app = TestApp::start_with(
        Backend::Sqlite,
        Options {
            extra: vec![("PAYGATE_CABINET_ORIGINS", "https://cabinet.example.com".into())],
            ..Options::default()
        },
    )
    .await;
    let preflight = |origin: &'static str, path: &'static str| {
        let api = app.api().with_header("Origin", origin).with_header("Access-Control-Request-Method", "POST");
        async move { api.raw(Method::OPTIONS, path, None).await }
    };
    let r = preflight("https://cabinet.example.com", "/api/user").await;
    assert_eq!(r.header("access-control-allow-origin"), Some("https://cabinet.example.com"));
    let r = preflight("https://evil.example.com", "/api/user").await;
    assert_eq!(r.header("access-control-allow-origin"), None);
    let r = preflight("https://shop.example.net", "/currency/coin").await;
    assert_eq!(r.header("access-control-allow-origin"), Some("https://shop.example.net"));
    let r = app.api().with_header("Origin", "https://cabinet.example.com").get("/health/live").await;
    let exposed = r.header("access-control-expose-headers").unwrap().to_lowercase();
    assert!(exposed.contains("x-total-count") && exposed.contains("x-request-id") && exposed.contains("retry-after"));
}
