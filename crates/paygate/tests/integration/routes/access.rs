//! Access rules walked from the contract's endpoint table: every implemented route refuses a
//! missing token, a token of the wrong scope and a role the table does not list, and the OpenAPI
//! document lists exactly the routes the table names.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::json;

use crate::backend_tests;
use crate::harness::*;

const TSV: &str = include_str!("../endpoints.tsv");

struct Row {
    method: String,
    path: String,
    auth: String,
}

fn rows() -> Vec<Row> {
    TSV.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            Row { method: c[0].to_owned(), path: c[1].to_owned(), auth: c[2].to_owned() }
        })
        .collect()
}

fn openapi_routes() -> BTreeSet<(String, String)> {
    let doc = paygate_api::openapi_document();
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for m in ["get", "put", "post", "delete", "patch"] {
            if item.get(m).is_some() {
                out.insert((m.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

/// The routes of issue "The spine" that must be served.
const SPINE: &[&str] = &[
    "GET /health/live",
    "GET /health/ready",
    "GET /metrics",
    "GET /openapi.json",
    "GET /docs",
    "POST /auth/sign-up",
    "POST /auth/sign-up/check",
    "POST /auth/sign-up/email/check-code",
    "POST /auth/sign-up/email/get-code",
    "PUT /auth/sign-up/owner/update",
    "POST /auth/sign-up/pss/set",
    "PUT /auth/sign-up/user/update",
    "POST /auth/sign-in",
    "POST /auth/sign-in/psw/check",
    "POST /auth/recovery",
    "POST /auth/recovery/psw/otp/check",
    "POST /auth/token/check",
    "POST /auth/token/refresh",
    "POST /auth/tfa/otp/email",
    "GET /auth/qrcode",
    "POST /auth/log-out",
    "PUT /api/personal/email",
    "POST /api/personal/email/otp",
    "POST /api/personal/email/otp/check",
    "PUT /api/personal/psw",
    "POST /api/personal/psw/otp",
    "POST /api/personal/psw/otp/check",
    "GET /api/tfa",
    "POST /api/tfa",
    "POST /api/tfa/otp",
    "GET /api/tfa/type",
    "POST /tfa/reset",
    "POST /tfa/otp/reset/{id}",
    "POST /admin/tfa/reset/list",
    "PUT /admin/tfa/reset/status",
    "GET /api/owner",
    "PUT /api/owner",
    "GET /api/owner/info",
    "POST /api/owner/info/avatar",
    "GET /api/owner/type",
    "GET /api/owner/subtype",
    "GET /api/user",
    "PUT /api/user",
    "GET /api/user/info",
    "POST /api/user/info/avatar",
    "GET /api/country",
    "GET /api/country/{id}",
    "GET /api/country/sepa",
    "GET /api/timezone",
    "PUT /api/timezone/set",
    "GET /media/avatar/{name}",
];

/// The routes of issue "Money core".
const MONEY: &[&str] = &[
    "GET /currency/chain",
    "GET /currency/coin",
    "GET /currency/tokens",
    "GET /api/owner/currency/tokens",
    "GET /api/balance",
    "POST /api/balance",
    "GET /api/balance/coin",
    "GET /api/balance/fiat",
    "GET /api/balance/general",
    "GET /api/balance/state/user",
    "PUT /api/balance/available/off",
    "PUT /api/balance/available/set",
    "PUT /api/balance/default/off",
    "PUT /api/balance/default/set",
    "POST /api/transfer",
    "GET /api/transfer/{order_id}/{user_id}",
    "GET /api/transfer/{order_id}",
    "POST /api/transfer/exchange",
    "GET /api/transfer/exchange/course",
    "POST /api/transfer/check/recipient",
    "GET /api/product",
    "GET /api/product/favorite",
    "POST /api/product/favorite",
    "GET /api/product/onboarding",
    "GET /api/subscribe",
    "POST /api/subscribe",
    "GET /api/subscribe/info",
    "GET /api/notification",
    "PUT /api/notification",
    "GET /api/notification/unread",
    "POST /admin/owner/list",
    "GET /admin/owner/profile",
    "POST /admin/chain",
    "PUT /admin/chain",
    "POST /admin/coin",
    "PUT /admin/coin",
    "POST /admin/token",
    "PUT /admin/token",
    "GET /admin/rate",
    "PUT /admin/rate",
    "POST /admin/ledger/adjustment",
    "GET /admin/ledger/check",
];

/// The routes of issue "Getting paid".
const PAYMENTS: &[&str] = &[
    "POST /invoice/create",
    "POST /invoice/pay",
    "POST /invoice/receive",
    "GET /api/pay/pay-link",
    "PUT /api/pay/pay-link",
    "DELETE /api/pay/pay-link",
    "POST /api/pay/pay-link/reusable",
    "POST /api/pay/pay-link/temporary",
    "GET /api/pay/pay-link/coins",
    "GET /api/pay/pay-link/info/{id}",
    "POST /api/pay/pay-link/search",
    "POST /api/pay/pay-link/statistic",
    "POST /api/pay/pay-link/statistics",
    "GET /api/pay/pay-link/status/available",
    "POST /api/receive/create",
    "GET /api/wallet",
    "POST /api/wallet",
    "POST /paylink/external-environment/info",
    "GET /api/integration-key",
    "POST /api/integration-key",
    "DELETE /api/integration-key",
    "GET /api/webhook",
    "POST /api/webhook",
    "PUT /api/webhook",
    "DELETE /api/webhook",
    "GET /api/webhook/event/types",
    "POST /api/webhook/delivery/list",
    "POST /api/webhook/delivery/redeliver",
    "GET /admin/xpub",
    "POST /admin/xpub",
    "PUT /admin/xpub",
    "POST /sandbox/transfer",
    "POST /sandbox/invoice/pay",
    "POST /sandbox/reorg",
    "GET /pay/{public_id}",
    "GET /pay/invoice/{id}",
];

/// The routes of issue "Real chains".
const CHAINS: &[&str] = &["GET /api/blockchain/operations/types"];

#[test]
fn vendored_table_matches_the_shared_spec() {
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec/endpoints.tsv");
    if let Ok(text) = std::fs::read_to_string(shared) {
        assert_eq!(text, TSV, "tests/integration/endpoints.tsv is stale: copy shared/spec/endpoints.tsv");
    }
}

#[test]
fn openapi_lists_table_routes_only_and_every_spine_route() {
    let served = openapi_routes();
    let table: BTreeSet<(String, String)> = rows().into_iter().map(|r| (r.method, r.path)).collect();
    let extra: Vec<_> = served.difference(&table).collect();
    assert!(extra.is_empty(), "routes not in the contract: {extra:?}");
    for r in SPINE.iter().chain(MONEY).chain(PAYMENTS).chain(CHAINS) {
        let (m, p) = r.split_once(' ').unwrap();
        assert!(served.contains(&(m.to_owned(), p.to_owned())), "{r} missing from /openapi.json");
    }
    let doc = paygate_api::openapi_document();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (m, op) in item.as_object().unwrap() {
            let origin = op["x-origin"].as_str().unwrap_or_else(|| panic!("{m} {path} has no x-origin"));
            assert!(["documented", "designed", "extension"].contains(&origin));
            let expected = TSV
                .lines()
                .find(|l| l.starts_with(&format!("{}\t{path}\t", m.to_uppercase())))
                .unwrap()
                .split('\t')
                .nth(4)
                .unwrap();
            assert_eq!(origin, expected, "{m} {path}");
            assert!(op["responses"].get("500").is_some(), "{m} {path} lists its errors");
        }
    }
}

fn concrete(path: &str) -> String {
    path.replace("{id}", "1")
        .replace("{name}", "0123456789abcdef0123456789abcdef.png")
        .replace("{order_id}", "o1")
        .replace("{user_id}", "1")
        .replace("{public_id}", "p1")
}

backend_tests! {
    async fn every_route_checks_credentials_scope_and_role(app) {
        let owner = app.merchant("acl-owner@example.com").await;
        let viewer = app.member("acl-viewer@example.com", owner.owner_id, 5).await;
        let cashier = app.member("acl-cashier@example.com", owner.owner_id, 4).await;
        let api = app.api();
        api.post("/auth/sign-up/email/get-code", json!({"email": "acl-signup@example.com"})).await.ok(204);
        let code = app.mail.next_code("acl-signup@example.com", 0).await;
        let signup = api.post("/auth/sign-up/email/check-code", json!({"email": "acl-signup@example.com", "code": code})).await;
        let signup = s(&signup.ok(200)["token"]).to_owned();
        let served = openapi_routes();
        let mut checked = 0;
        for r in rows().into_iter().filter(|r| served.contains(&(r.method.clone(), r.path.clone()))) {
            let method = Method::from_bytes(r.method.as_bytes()).unwrap();
            let path = concrete(&r.path);
            let body = (r.method != "GET").then(|| json!({}));
            let call = |api: Api| {
                let (method, path, body) = (method.clone(), path.clone(), body.clone());
                async move { api.send(method, &path, body).await }
            };
            let what = format!("{} {}", r.method, r.path);
            if (r.auth.contains("jwt") || r.auth == "signup" || r.auth == "operator") && !r.auth.starts_with("public") {
                let res = call(app.api()).await;
                assert_eq!((res.status, res.code()), (401, 4010), "{what} without a token");
                checked += 1;
            }
            if r.auth.starts_with("jwt") && !r.auth.contains("signup") {
                let res = call(app.as_user(&signup)).await;
                assert_eq!((res.status, res.code()), (403, 4019), "{what} with a sign-up token");
            }
            if r.auth == "signup" {
                let res = call(app.as_user(&owner.token)).await;
                assert_eq!((res.status, res.code()), (403, 4019), "{what} with a full token");
            }
            if r.auth == "operator" {
                let res = call(app.as_user(&owner.token)).await;
                assert_eq!((res.status, res.code()), (403, 4033), "{what} with a merchant token");
            }
            if let Some(roles) = r.auth.strip_prefix("jwt(").and_then(|a| a.split(')').next()).filter(|r| *r != "all") {
                for (role, m) in [("5", &viewer), ("4", &cashier)] {
                    if !roles.split(',').any(|x| x == role) {
                        let res = call(app.as_user(&m.token)).await;
                        assert_eq!((res.status, res.code()), (403, 4030), "{what} as role {role}");
                    }
                }
            }
        }
        assert!(checked >= 35, "only {checked} guarded routes checked");
    }

    async fn one_owner_cannot_reach_another(app) {
        let a = app.merchant("iso-a@example.com").await;
        let b = app.merchant("iso-b@example.com").await;
        let as_a = app.as_user(&a.token);
        // the active owner comes from the session: A only ever sees A
        assert_eq!(as_a.get("/api/owner").await.ok(200)["id"], a.owner_id);
        as_a.put("/api/owner", json!({"name": "Renamed A"})).await.ok(204);
        assert_eq!(app.as_user(&b.token).get("/api/owner").await.ok(200)["name"], "Shop of iso-b@example.com");
        // asking for B's owner is refused
        app.client_at("10.30.0.1").post("/auth/sign-in", json!({"email": a.email, "password": PASSWORD, "owner_id": b.owner_id})).await.err(403, 4032);
        app.api().post("/auth/token/refresh", json!({"refreshToken": a.refresh, "owner_id": b.owner_id})).await.err(403, 4032);
        let users_of_a = as_a.get("/api/user").await;
        assert_eq!(users_of_a.ok(200)["memberships"].as_array().unwrap().len(), 1);
    }
}
