//! Hosted checkout pages (§5.3): HTML from the server, nothing loaded from elsewhere, a nonce CSP.

use reqwest::Method;
use serde_json::json;

use crate::backend_tests;
use crate::harness::*;

async fn page(app: &TestApp, path: &str) -> (Resp, String) {
    let r = app.client_at("10.70.0.1").raw(Method::GET, path, None).await;
    let html = String::from_utf8(r.raw.clone()).expect("utf-8");
    (r, html)
}

/// The headers every checkout page carries, and that it loads nothing from another origin.
#[track_caller]
fn assert_hosted(r: &Resp, html: &str, frame_ancestors: &str) {
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!((r.header("cache-control"), r.header("referrer-policy")), (Some("no-store"), Some("no-referrer")));
    let csp = r.header("content-security-policy").expect("CSP");
    let nonce = csp.split("'nonce-").nth(1).and_then(|s| s.split('\'').next()).expect("nonce in CSP");
    assert!(nonce.len() >= 22, "nonce has enough entropy: {nonce}");
    assert!(csp.contains(&format!("frame-ancestors {frame_ancestors}")), "{csp}");
    assert!(csp.starts_with("default-src 'none'"));
    assert_eq!(html.matches("<script nonce=").count(), 1, "one inline script, with the nonce");
    assert!(html.contains(&format!("<script nonce=\"{nonce}\">")));
    for external in ["src=\"http", "src=\"//", "href=\"//", "rel=\"stylesheet", "@import", "url(http"] {
        assert!(!html.contains(external), "no third-party resource ({external})");
    }
}

backend_tests! {
    async fn pay_link_page(app) {
        let m = app.merchant("page@example.com").await;
        let me = app.as_user(&m.token);
        let l = me.post("/api/pay/pay-link/reusable", json!({"name": "Tea <script>alert(1)</script>", "description": "Green & hot", "coin_id": 1, "amount_min": 1, "amount_max": 50})).await;
        let public_id = l.ok(200)["public_id"].as_str().unwrap().to_owned();
        let (r, html) = page(&app, &format!("/pay/{public_id}?amount=7%22%3E&theme=dark")).await;
        assert_eq!(r.status, 200, "{html}");
        assert_hosted(&r, &html, "'none'");
        assert!(html.contains("Tea &lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>alert"), "payer-visible text is escaped");
        assert!(html.contains("Green &amp; hot"));
        assert!(html.contains("value=\"7&quot;&gt;\""), "the pre-filled amount cannot leave its attribute");
        assert!(html.contains("min=\"1\"") && html.contains("max=\"50\""));
        assert!(html.contains("<body class=\"dark\">"));
        for token in [12, 13, 14] {
            assert!(html.contains(&format!("data-link-token=\"{token}\"")), "sandbox token {token} is offered");
        }
        // a paused link explains itself with 200, an unknown or deleted one is a 404 page
        let id = l.body["id"].as_i64().unwrap();
        me.put("/api/pay/pay-link", json!({"id": id, "status_id": 2})).await.ok(204);
        let (r, html) = page(&app, &format!("/pay/{public_id}")).await;
        assert_eq!(r.status, 200);
        assert!(html.contains("not accepting payments") && !html.contains("data-link-token=\""));
        me.delete(&format!("/api/pay/pay-link?id={id}"), json!({})).await.ok(204);
        let (r, html) = page(&app, &format!("/pay/{public_id}")).await;
        assert_eq!(r.status, 404);
        assert_hosted(&r, &html, "'none'");
        assert!(html.contains("statusCode 404") && html.contains("code 4040"), "{html}");
    }

    async fn invoice_page(app) {
        let m = app.merchant("invoice-page@example.com").await;
        let l = app.as_user(&m.token).post("/api/pay/pay-link/reusable", json!({"name": "Coffee", "coin_id": 1, "amount": 10, "success_url": "https://shop.example.com/ok"})).await;
        let l = l.ok(200).clone();
        let payer = app.client_at("10.70.0.2");
        let id = payer.post("/invoice/create", json!({"amount": 10, "coin_id": 1, "id": l["id"], "product_id": 2})).await.ok(200)["invoice_id"].as_i64().unwrap();
        // status 1: the token choice
        let (r, html) = page(&app, &format!("/pay/invoice/{id}")).await;
        assert_eq!(r.status, 200, "{html}");
        assert_hosted(&r, &html, "'none'");
        assert!(html.contains("data-invoice-token=\"13\"") && !html.contains("id=\"qr\""));
        // status 2: address, amount due, QR and, on the sandbox chain, the simulate buttons
        let address = payer.post("/invoice/pay", json!({"idInvoice": id, "coin_id": 6})).await.ok(200)["address"].as_str().unwrap().to_owned();
        let (r, html) = page(&app, &format!("/pay/invoice/{id}")).await;
        assert_eq!(r.status, 200);
        assert_hosted(&r, &html, "'none'");
        assert!(html.contains(&format!("<div class=\"address\" id=\"address\">{address}</div>")));
        assert!(html.contains("<strong id=\"due\">10 USDT</strong>"), "{html}");
        assert!(html.contains("src=\"data:image/png;base64,"), "the QR code is inline");
        assert!(html.contains("data-simulate=\"full\">Simulate payment") && html.contains("data-simulate=\"5\""));
        assert!(html.contains(&format!("\"invoice_id\":{id}")), "the script knows which invoice to poll");
        // the embedded layout frames only pay-form invoices
        let (r, html) = page(&app, &format!("/pay/invoice/{id}?embed=1")).await;
        assert_hosted(&r, &html, "'none'");
        for missing in ["/pay/invoice/999999", "/pay/invoice/abc", "/pay/nosuchlink00"] {
            let (r, html) = page(&app, missing).await;
            assert_eq!(r.status, 404, "{missing}");
            assert!(html.contains("code 4040"));
        }
    }
}

fn live_sandbox() -> Options {
    // The server mines its own sandbox blocks, as a fresh install does.
    Options { extra: vec![("PAYGATE_SANDBOX_BLOCK_SECONDS", "1".into())], ..Options::default() }
}

/// Runs the checkout driver (`tests/browser/checkout.mjs`) with `node` and the pinned
/// playwright-core that `scripts/test.sh` installs next to it; returns what the payer saw and
/// the screenshot it kept.
async fn browse(app: &TestApp, scenario: &str, args: &[&str]) -> (serde_json::Value, std::path::PathBuf) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    assert!(
        dir.join("node_modules/playwright-core").is_dir() && std::path::Path::new("/usr/bin/chromium").exists(),
        "the browser test needs Chromium and playwright-core: run ./scripts/test.sh, which installs them"
    );
    let artefacts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-artifacts");
    std::fs::create_dir_all(&artefacts).unwrap();
    let shot = artefacts.join(format!("checkout-{scenario}-{}.png", app.backend_name()));
    let out = tokio::process::Command::new("node")
        .arg(dir.join("checkout.mjs"))
        .args([scenario, &app.base])
        .args(args)
        .arg(&shot)
        .output()
        .await
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}\n{stdout}", String::from_utf8_lossy(&out.stderr));
    let seen: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(seen["consoleErrors"], json!([]), "no script or CSP errors");
    for url in seen["requests"].as_array().unwrap() {
        assert!(url.as_str().unwrap().starts_with(&app.base), "only the gateway is contacted: {url}");
    }
    assert!(std::fs::metadata(&shot).unwrap().len() > 1000, "the screenshot is kept");
    (seen, shot)
}

backend_tests! {
    options = live_sandbox();

    async fn a_payer_pays_in_a_real_browser(app) {
        let m = app.merchant("browser@example.com").await;
        // The shop's return page: the gateway's own liveness route stands in for it.
        let success_url = format!("{}/health/live?order=42", app.base);
        let l = app.as_user(&m.token).post("/api/pay/pay-link/reusable", json!({"name": "Coffee", "coin_id": 1, "amount": 10, "success_url": success_url})).await;
        let public_id = l.ok(200)["public_id"].as_str().unwrap().to_owned();
        let (seen, _) = browse(&app, "pay", &[&public_id, "14"]).await;
        assert_eq!((seen["status"].clone(), seen["qrPng"].clone(), seen["qrVisible"].clone()), (json!("Paid"), json!(true), json!(true)));
        assert!(seen["address"].as_str().unwrap().starts_with("0x"));
        let id = seen["invoiceId"].as_i64().unwrap();
        assert_eq!(seen["returnedTo"], format!("{success_url}&invoice_id={id}&status=4"), "back to the shop with the outcome");
        // what the browser saw is what happened
        let s = app.client_at("10.70.0.9").post("/invoice/receive", json!({"idInvoice": id})).await.ok(200).clone();
        assert_eq!((s["status"].clone(), s["token_id"].clone(), s["address"].clone()), (json!(4), json!(14), seen["address"].clone()));
        assert_eq!(balance_of(&app.as_user(&m.token), 6).await["amount"].to_string(), "9.9", "credited less the commission");
        assert_ledger_ok(&app).await;
    }

    async fn a_payer_whose_invoice_expired_is_sent_back_to_fail_url(app) {
        let m = app.merchant("browser-late@example.com").await;
        let fail_url = format!("{}/health/live?order=43", app.base);
        let l = app.as_user(&m.token).post("/api/pay/pay-link/reusable", json!({"name": "Tea", "coin_id": 1, "amount": 10, "fail_url": fail_url})).await;
        let payer = app.client_at("10.70.0.10");
        let create = json!({"amount": 10, "coin_id": 1, "id": l.ok(200)["id"], "product_id": 2});
        let id = payer.post("/invoice/create", create).await.ok(200)["invoice_id"].as_i64().unwrap();
        payer.post("/invoice/pay", json!({"idInvoice": id, "token_id": 14})).await.ok(200);
        // the payer comes back after the invoice's time ran out
        let mut c = app.services.store.conn().await.unwrap();
        paygate_store::testing::execute(&mut c, &format!("UPDATE invoices SET expires_at = expires_at - 3600 WHERE id = {id}")).await.unwrap();
        drop(c);
        let (seen, _) = browse(&app, "expired", &[&id.to_string()]).await;
        let back = format!("{fail_url}&invoice_id={id}&status=5");
        assert_eq!((seen["status"].clone(), seen["link"].clone(), seen["simulateVisible"].clone()), (json!("Expired"), json!(back), json!(false)));
        assert_eq!(seen["returnedTo"], back, "back to the shop's fail_url with the outcome");
    }
}
