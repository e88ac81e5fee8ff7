//! `Idempotency-Key` (§1.7) for every operation marked Idem, in one place: the first request
//! runs and its answer is kept; a repeat with the same body gets that answer again with
//! `Idempotent-Replayed: true`; a different body is 409 4092; a repeat while the first still
//! runs is 409 4093.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use paygate_app::IdemDecision;
use paygate_core::ErrorCode;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::extract::{bearer_token, parse_strict};
use crate::state::AppState;

/// Every POST the contract marks Idem.
const IDEM_ROUTES: &[&str] = &[
    "/admin/ledger/adjustment",
    "/api/balance",
    "/api/docs",
    "/api/integration-key",
    "/api/pay/m-pos",
    "/api/pay/pay-form",
    "/api/pay/pay-link/return",
    "/api/pay/pay-link/reusable",
    "/api/pay/pay-link/temporary",
    "/api/receive/create",
    "/api/subscribe",
    "/api/support",
    "/api/transfer",
    "/api/transfer/exchange",
    "/api/user/invite",
    "/api/wallet",
    "/api/webhook",
    "/api/withdrawal",
    "/api/withdrawal/sepa",
    "/api/withdrawal/sepa/template",
    "/external/transfer",
    "/invoice/create",
    "/paylink/external-environment/m-pos-prepay",
    "/paylink/external-environment/pay-form-prepay",
    "/sandbox/transfer",
];

const BODY_LIMIT: usize = 13 * 1024 * 1024;

fn valid_key(k: &str) -> bool {
    (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic())
}

/// Whose key space a request uses (§1.7): the integration key, the active owner, the operator
/// or the user; on public calls the target object and the client address. A bad credential is
/// answered by the route's own guard, unremembered.
fn principal(parts: &axum::http::request::Parts, body: &[u8], state: &AppState) -> Option<String> {
    if let Some(key) = parts.headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        return Some(format!("key:{}", hex::encode(Sha256::digest(key.trim().as_bytes()))));
    }
    let Some(raw) = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        let target = parse_strict(body)
            .ok()
            .and_then(|v| v.get("id").or_else(|| v.get("to_address")).map(|t| t.to_string()))
            .unwrap_or_default();
        let ip = crate::extract::client_info(parts, state).ip;
        return Some(format!("public:{}:{target}:{ip}", parts.uri.path()));
    };
    let parts = Request::builder().header(header::AUTHORIZATION, raw).body(()).ok()?.into_parts().0;
    let token = bearer_token(&parts)?;
    let claims = paygate_app::jwt::decode(token, &state.config.jwt_secret.0, paygate_core::time::now()).ok()?;
    Some(match (claims.oid, claims.opr) {
        (_, true) => format!("operator:{}", claims.sub),
        (Some(oid), _) => format!("owner:{oid}"),
        (None, _) => format!("user:{}", claims.sub),
    })
}

/// SHA-256 over method, path and the canonical body (keys sorted, numbers as written), leaving
/// out `otp` and `current_otp` so a retry with a fresh code replays.
fn fingerprint(method: &Method, path: &str, body: &[u8]) -> String {
    let canonical = match parse_strict(body) {
        Ok(mut v) => {
            if let Some(o) = v.as_object_mut() {
                o.remove("otp");
                o.remove("current_otp");
            }
            canonical_json(&v)
        }
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    };
    let mut h = Sha256::new();
    h.update(method.as_str().as_bytes());
    h.update(b" ");
    h.update(path.as_bytes());
    h.update(b"\n");
    h.update(canonical.as_bytes());
    hex::encode(h.finalize())
}

fn canonical_json(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let items: Vec<String> = keys
                .iter()
                .map(|k| format!("{}:{}", serde_json::Value::String((*k).clone()), canonical_json(&m[*k])))
                .collect();
            format!("{{{}}}", items.join(","))
        }
        serde_json::Value::Array(a) => format!("[{}]", a.iter().map(canonical_json).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

pub async fn idempotency(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(key) = req.headers().get("idempotency-key") else { return next.run(req).await };
    if req.method() != Method::POST || !IDEM_ROUTES.contains(&req.uri().path()) {
        return next.run(req).await;
    }
    let Some(key) = key.to_str().ok().filter(|k| valid_key(k)).map(str::to_owned) else {
        return ApiError::field(ErrorCode::FieldFormat, "Idempotency-Key", "1–255 visible ASCII characters")
            .into_response();
    };
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
        return ApiError::new(ErrorCode::PayloadTooLarge, "Body too large").into_response();
    };
    let Some(principal) = principal(&parts, &bytes, &state) else {
        return next.run(Request::from_parts(parts, Body::from(bytes))).await;
    };
    let fp = fingerprint(&parts.method, parts.uri.path(), &bytes);
    match state.idem_begin(&principal, &key, &fp).await {
        Err(e) => ApiError(e).into_response(),
        Ok(IdemDecision::Replay { status, content_type, body }) => {
            let mut res = Response::new(Body::from(body));
            *res.status_mut() = axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::OK);
            if let Some(ct) = content_type.and_then(|c| HeaderValue::from_str(&c).ok()) {
                res.headers_mut().insert(header::CONTENT_TYPE, ct);
            }
            res.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
            res
        }
        Ok(IdemDecision::Execute) => {
            let res = next.run(Request::from_parts(parts, Body::from(bytes))).await;
            let (res_parts, res_body) = res.into_parts();
            let body = to_bytes(res_body, BODY_LIMIT).await.unwrap_or_default();
            let content_type =
                res_parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
            let code = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["errors"][0]["code"].as_u64())
                .map(|c| c as u16);
            if let Err(e) = state
                .idem_finish(&principal, &key, res_parts.status.as_u16(), code, content_type.as_deref(), &body)
                .await
            {
                tracing::error!(error = %e, "could not record the idempotent answer");
            }
            Response::from_parts(res_parts, Body::from(body))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_ignore_key_order_whitespace_and_codes() {
        let a = fingerprint(&Method::POST, "/api/transfer", br#"{"amount": 1.50, "order_id": "x", "otp": "111111"}"#);
        let b = fingerprint(&Method::POST, "/api/transfer", br#"{"order_id":"x","amount":1.50,"otp":"222222"}"#);
        assert_eq!(a, b);
        let c = fingerprint(&Method::POST, "/api/transfer", br#"{"order_id":"x","amount":1.5}"#);
        assert_ne!(a, c, "numbers as written");
        assert_ne!(a, fingerprint(&Method::POST, "/api/balance", br#"{"order_id":"x","amount":1.50}"#));
    }
}
