//! The client behind a request: address (through trusted proxies), user agent, request id.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use paygate_app::ClientInfo;

use crate::error::ApiError;
use crate::middleware::request_id::RequestId;
use crate::state::AppState;

pub struct Client(pub ClientInfo);

impl FromRequestParts<AppState> for Client {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(Client(client_info(parts, state)))
    }
}

pub fn client_info(parts: &Parts, state: &AppState) -> ClientInfo {
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let ip = client_ip(peer, parts, &state.config.trusted_proxies);
    ClientInfo {
        ip: ip.map(|i| i.to_string()).unwrap_or_else(|| "unknown".into()),
        user_agent: parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(300).collect()),
        request_id: parts.extensions.get::<RequestId>().map(|r| r.0.clone()).unwrap_or_default(),
    }
}

/// The peer, or — when the peer is a trusted proxy — the right-most untrusted address of
/// `X-Forwarded-For`.
fn client_ip(peer: Option<IpAddr>, parts: &Parts, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let forwarded =
        parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join(",");
    forwarded
        .split(',')
        .rev()
        .filter_map(|s| s.trim().parse::<IpAddr>().ok())
        .find(|ip| !trusted.contains(ip))
        .or(Some(peer))
}
