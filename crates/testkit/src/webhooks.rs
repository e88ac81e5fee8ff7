//! A webhook receiver on a loopback port that keeps what it receives, verifies signatures the
//! way §5.1 tells merchants to, and can be told to fail its first requests.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;

#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub raw: Vec<u8>,
    pub body: Value,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    /// Checks `X-Webhook-Signature` over the raw body with `secret`, independently of the server.
    pub fn signed_with(&self, secret: &str) -> bool {
        let sig = self.header("x-webhook-signature");
        let Some((t, v1)) = sig.strip_prefix("t=").and_then(|s| s.split_once(",v1=")) else { return false };
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
        mac.update(t.as_bytes());
        mac.update(b".");
        mac.update(&self.raw);
        let Ok(expected) = hex::decode(v1) else { return false };
        mac.verify_slice(&expected).is_ok()
    }
}

#[derive(Default)]
struct Inner {
    /// Requests to answer 500 before accepting.
    fail_first: usize,
    /// Answer every request with this status (after `fail_first`).
    status: Option<u16>,
    seen: usize,
    received: Vec<Received>,
}

#[derive(Clone)]
pub struct WebhookSink {
    pub url: String,
    inner: Arc<Mutex<Inner>>,
}

impl WebhookSink {
    /// Accepts everything after failing the first `fail_first` requests with 500.
    pub async fn start(fail_first: usize) -> WebhookSink {
        let inner = Arc::new(Mutex::new(Inner { fail_first, ..Inner::default() }));
        let app = axum::Router::new().fallback(receive).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/hooks", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        WebhookSink { url, inner }
    }

    /// From now on every request gets `status`.
    pub fn answer(&self, status: u16) {
        self.inner.lock().unwrap().status = Some(status);
    }

    /// Requests answered 2xx.
    pub fn accepted(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }

    /// Every request, accepted or not.
    pub fn attempts(&self) -> usize {
        self.inner.lock().unwrap().seen
    }
}

async fn receive(State(inner): State<Arc<Mutex<Inner>>>, headers: HeaderMap, raw: Bytes) -> StatusCode {
    let mut s = inner.lock().unwrap();
    s.seen += 1;
    if s.seen <= s.fail_first {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let status = StatusCode::from_u16(s.status.unwrap_or(200)).expect("status");
    if status.is_success() {
        let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
        s.received.push(Received { headers, raw: raw.to_vec(), body });
    }
    status
}
