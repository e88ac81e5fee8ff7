//! Test harness pieces shared by the crates' tests: a fresh database per test on SQLite or
//! PostgreSQL, an SMTP sink and a webhook receiver that keep what they receive, and a small JSON HTTP client.

pub mod db;
pub mod http;
pub mod smtp;
pub mod webhooks;

pub use db::{Backend, TestDb};
pub use http::{Api, Resp};
pub use smtp::{Mail, SmtpSink};
pub use webhooks::{Received, WebhookSink};

/// Installs the TLS provider HTTP clients need (the server does the same at start).
pub fn tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
