//! `X-Request-Id` on every response: the client's when valid (1–64 of `[A-Za-z0-9._-]`),
//! otherwise a new one. The id is in the request's tracing span.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

#[derive(Clone, Debug)]
pub struct RequestId(pub String);

pub const HEADER: &str = "x-request-id";

fn valid(s: &str) -> bool {
    (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

pub async fn request_id(mut req: Request, next: Next) -> Response {
    let id =
        req.headers().get(HEADER).and_then(|v| v.to_str().ok()).filter(|s| valid(s)).map(str::to_owned).unwrap_or_else(
            || {
                let mut b = [0u8; 12];
                rand::fill(&mut b);
                b.iter().map(|x| format!("{x:02x}")).collect()
            },
        );
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path());
    let mut res = next.run(req).instrument(span).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(HEADER, v);
    }
    res
}
