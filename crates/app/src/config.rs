//! What the services need to know about the instance. The binary fills this from the
//! environment and `paygate.toml`; tests build it directly.

use std::path::PathBuf;

/// Which networks the instance runs on (§2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkMode {
    Main,
    Test,
    Sandbox,
}

impl NetworkMode {
    pub fn parse(s: &str) -> Option<NetworkMode> {
        match s {
            "main" => Some(NetworkMode::Main),
            "test" => Some(NetworkMode::Test),
            "sandbox" => Some(NetworkMode::Sandbox),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            NetworkMode::Main => "main",
            NetworkMode::Test => "test",
            NetworkMode::Sandbox => "sandbox",
        }
    }
}

/// Where outgoing mail goes.
#[derive(Debug, Clone)]
pub enum MailTransport {
    /// `smtp://host:port`, `smtps://…` or `smtp://…?tls=required`, as lettre reads them.
    Smtp(String),
    /// Every message written as an RFC 5322 `.eml` file into this folder.
    Directory(PathBuf),
}

/// A secret whose `Debug` does not show it.
#[derive(Clone)]
pub struct Secret(pub Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone)]
pub struct AppConfig {
    pub public_base_url: String,
    pub network_mode: NetworkMode,
    /// Request-rate limits of §1.9. Attempt counters and the sign-in lock ignore this.
    pub rate_limits: bool,
    pub mail: MailTransport,
    /// Sender of every e-mail.
    pub mail_from: String,
    /// Name shown in authenticator apps and e-mails.
    pub instance_name: String,
    /// Signs access tokens (HS256, at least 32 bytes).
    pub jwt_secret: Secret,
    /// Encrypts secrets at rest (TOTP) and keys the hashes of one-time codes.
    pub encryption_key: Secret,
    /// Plan of new owners.
    pub default_plan_id: i64,
    /// Proxies whose `X-Forwarded-For` is believed for the client address.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Origins of the merchant cabinet allowed to call authenticated routes from a browser.
    pub cabinet_origins: Vec<String>,
    /// Operations marked KYC need an approved owner (§2.15).
    pub kyc_required: bool,
    /// Live rates older than this are refused.
    pub rate_max_age_secs: i64,
    pub rate_refresh_secs: i64,
    /// Base URL of a Binance-format ticker (`…/api/v3/ticker/price`) and the pairs to read.
    pub rate_source_url: Option<String>,
    pub rate_pairs: Vec<(String, String)>,
    /// Milliseconds between sandbox blocks (§5.6).
    pub sandbox_block_ms: i64,
    /// Whether plain `http` and private addresses are allowed where `https` is asked for.
    pub allow_insecure_urls: bool,
    /// Webhook endpoints may be loopback, private or link-local addresses
    /// (`PAYGATE_WEBHOOK_ALLOW_PRIVATE`; for tests and closed networks).
    pub webhook_allow_private: bool,
    /// Bearer token `/metrics` requires, when set.
    pub metrics_token: Option<Secret>,
    /// Node connections by chain code in settings form (upper case, `-` as `_`: `DEVNET`,
    /// `TRON_SHASTA`); see [`ChainNode::key`].
    pub chain_nodes: std::collections::BTreeMap<String, ChainNode>,
}

/// How to reach one chain's node (§5.5: instance configuration, never the database).
#[derive(Debug, Clone)]
pub struct ChainNode {
    /// JSON-RPC (EVM, Bitcoin Core) or HTTP API (Tron) base URL.
    pub rpc_url: String,
    /// Milliseconds between polls of the head.
    pub poll_ms: i64,
    /// Milliseconds a call may take before the node counts as down.
    pub timeout_ms: i64,
    /// Bitcoin Core's RPC user and password.
    pub rpc_user: Option<String>,
    pub rpc_password: Option<Secret>,
    /// Sent as `TRON-PRO-API-KEY` to TronGrid.
    pub api_key: Option<Secret>,
}

impl ChainNode {
    /// The settings key of a chain code: `tron-shasta` → `TRON_SHASTA`.
    pub fn key(code: &str) -> String {
        code.to_ascii_uppercase().replace('-', "_")
    }
}
