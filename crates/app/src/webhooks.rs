//! Merchant webhooks (§5.1). Events are written to an outbox in the unit of work that changes
//! the state they report; a worker signs and posts them, retries on the schedule, and disables
//! endpoints that have failed for five days.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use paygate_core::{AppError, AppResult, ErrorCode};
use paygate_store::Conn;
use paygate_store::invoices;
use paygate_store::webhooks::{self, AttemptResult, Delivery, DeliveryFilter, Endpoint};
use serde_json::{Value, json};

use crate::actor::Actor;
use crate::payments::state::{InvoiceState, PaymentState};
use crate::{Services, crypto};

const MAX_ENDPOINTS: usize = 10;
/// Delay before attempt n + 2, after attempt n + 1 failed: 10 attempts over about 24 h.
const RETRY_DELAYS: [i64; 9] = [60, 300, 600, 1800, 3600, 7200, 14400, 28800, 28800];
const DISABLE_AFTER: i64 = 5 * 86400;
const KEEP_LOG: i64 = 30 * 86400;
/// How long a worker holds a claimed delivery: longer than a whole claimed batch can take
/// (50 attempts of at most 10 s, 4 at a time per endpoint).
const LEASE: i64 = 300;
const CLAIM: i64 = 50;
const PER_ENDPOINT: usize = 4;

pub const EVENT_TYPES: [(&str, &str); 17] = [
    ("invoice.created", "An invoice was created"),
    ("invoice.awaiting_payment", "The paying token was chosen or switched"),
    ("invoice.payment_received", "A payment was seen on chain"),
    ("invoice.processing", "The invoice is waiting for confirmations"),
    ("invoice.payment_confirmed", "A payment was confirmed and credited"),
    ("invoice.paid", "The invoice is paid"),
    ("invoice.expired", "The invoice expired"),
    ("invoice.invalid", "The invoice became invalid"),
    ("invoice.paid_late", "A payment arrived after expiry"),
    ("withdrawal.created", "A withdrawal was created"),
    ("withdrawal.approved", "A withdrawal was approved"),
    ("withdrawal.completed", "A withdrawal was completed"),
    ("withdrawal.rejected", "A withdrawal was rejected"),
    ("withdrawal.failed", "A withdrawal failed"),
    ("transfer.received", "An internal transfer arrived"),
    ("deposit.confirmed", "A deposit was credited"),
    ("owner.kyc_updated", "The KYC status changed"),
];

pub const DELIVERY_STATUSES: [&str; 4] = ["pending", "retrying", "succeeded", "failed"];

#[derive(Debug, Default)]
pub struct EndpointInput {
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    /// `Some(None)` clears it.
    pub description: Option<Option<String>>,
    pub enabled: Option<bool>,
}

impl Services {
    pub async fn webhooks(&self, actor: &Actor) -> AppResult<Vec<Endpoint>> {
        let owner_id = self.owner_of(actor)?;
        let mut c = self.store.conn().await?;
        Ok(webhooks::endpoints_of(&mut c, owner_id).await?)
    }

    /// `POST /api/webhook`: the endpoint and its secret, shown only here.
    pub async fn create_webhook(&self, actor: &Actor, input: EndpointInput) -> AppResult<(Endpoint, String)> {
        let owner_id = self.owner_of(actor)?;
        let url = input.url.ok_or_else(|| AppError::field(ErrorCode::FieldRequired, "url", "Required"))?;
        self.check_target(&url).await?;
        let types = event_types(input.event_types.unwrap_or_default())?;
        let mut tx = self.store.begin().await?;
        let existing = webhooks::endpoints_of(&mut tx, owner_id).await?;
        if existing.iter().any(|e| e.url == url) {
            return Err(AppError::field(ErrorCode::AlreadyExists, "url", "An endpoint with this URL exists"));
        }
        if existing.len() >= MAX_ENDPOINTS {
            return Err(AppError::new(ErrorCode::QuotaExceeded, "10 endpoints already"));
        }
        let secret = format!("whsec_{}", crypto::opaque_token());
        let id = webhooks::insert_endpoint(
            &mut tx,
            webhooks::NewEndpoint {
                owner_id,
                url: &url,
                description: input.description.flatten().as_deref(),
                event_types: &types,
                enabled: input.enabled.unwrap_or(true),
                secret_sealed: &self.secret_box.seal(secret.as_bytes()),
                secret_prefix: &secret.chars().take(12).collect::<String>(),
                now: self.now(),
            },
        )
        .await?;
        let row =
            webhooks::endpoint(&mut tx, owner_id, id).await?.ok_or_else(|| AppError::internal("endpoint vanished"))?;
        tx.commit().await?;
        Ok((row, secret))
    }

    /// `PUT /api/webhook`: the secret never changes.
    pub async fn update_webhook(&self, actor: &Actor, id: i64, input: EndpointInput) -> AppResult<()> {
        let owner_id = self.owner_of(actor)?;
        if let Some(url) = &input.url {
            self.check_target(url).await?;
        }
        let types = input.event_types.map(event_types).transpose()?;
        let mut tx = self.store.begin().await?;
        let e = webhooks::endpoint(&mut tx, owner_id, id).await?.ok_or_else(|| AppError::not_found("Webhook"))?;
        let url = input.url.unwrap_or(e.url.clone());
        if url != e.url && webhooks::endpoints_of(&mut tx, owner_id).await?.iter().any(|o| o.url == url) {
            return Err(AppError::field(ErrorCode::AlreadyExists, "url", "An endpoint with this URL exists"));
        }
        let enabled = input.enabled.unwrap_or(e.enabled);
        // Re-enabling starts the failure clock over.
        let failing_since = if enabled && !e.enabled { None } else { e.failing_since };
        let description = input.description.unwrap_or(e.description.clone());
        webhooks::update_endpoint(
            &mut tx,
            id,
            webhooks::EndpointChange {
                url: &url,
                description: description.as_deref(),
                event_types: types.as_deref().unwrap_or(&e.event_types),
                enabled,
                failing_since,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete_webhook(&self, actor: &Actor, id: i64) -> AppResult<()> {
        let owner_id = self.owner_of(actor)?;
        let mut tx = self.store.begin().await?;
        webhooks::endpoint(&mut tx, owner_id, id).await?.ok_or_else(|| AppError::not_found("Webhook"))?;
        webhooks::delete_endpoint(&mut tx, id, self.now()).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn webhook_deliveries(
        &self,
        actor: &Actor,
        filter: &DeliveryFilter,
        limit: i64,
        offset: i64,
    ) -> AppResult<(Vec<Delivery>, i64)> {
        let owner_id = self.owner_of(actor)?;
        if let Some(bad) = filter.statuses.iter().find(|s| !DELIVERY_STATUSES.contains(&s.as_str())) {
            return Err(AppError::field(ErrorCode::FieldFormat, "filters.status", format!("Unknown status {bad}")));
        }
        let mut c = self.store.conn().await?;
        Ok(webhooks::deliveries(&mut c, owner_id, filter, limit, offset).await?)
    }

    /// `POST /api/webhook/delivery/redeliver`: the same event to the same endpoint, schedule
    /// restarted, even when the endpoint is disabled.
    pub async fn redeliver_webhook(&self, actor: &Actor, delivery_id: i64) -> AppResult<i64> {
        let owner_id = self.owner_of(actor)?;
        let mut tx = self.store.begin().await?;
        let d = webhooks::delivery(&mut tx, owner_id, delivery_id)
            .await?
            .filter(|d| d.request_body.is_some())
            .ok_or_else(|| AppError::not_found("Delivery"))?;
        webhooks::endpoint(&mut tx, owner_id, d.webhook_id).await?.ok_or_else(|| AppError::not_found("Delivery"))?;
        let id = webhooks::insert_delivery(&mut tx, d.webhook_id, d.event_id, self.now()).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Writes one event to the outbox inside the caller's unit of work, with a delivery for
    /// every enabled endpoint of the owner that subscribes to its type.
    pub(crate) async fn emit(&self, c: &mut impl Conn, owner_id: i64, event_type: &str, data: Value) -> AppResult<()> {
        let targets = self.targets(c, owner_id, event_type).await?;
        self.emit_to(c, &targets, owner_id, event_type, data).await
    }

    /// An invoice event: `data` is the invoice's `InvoiceState` (plus `payment` when one is
    /// named), built only when some endpoint listens.
    pub(crate) async fn emit_invoice(
        &self,
        c: &mut impl Conn,
        owner_id: i64,
        event_type: &str,
        invoice_id: i64,
        payment_id: Option<i64>,
    ) -> AppResult<()> {
        let targets = self.targets(c, owner_id, event_type).await?;
        if targets.is_empty() {
            return Ok(());
        }
        let Some(inv) = invoices::get(c, invoice_id).await? else { return Ok(()) };
        let mut view = self.invoice_view(c, inv).await?;
        view.for_merchant = true;
        let payment =
            payment_id.and_then(|id| view.payments.iter().find(|p| p.payment.id == id)).map(PaymentState::from);
        let mut data = serde_json::to_value(InvoiceState::from(view)).map_err(AppError::internal)?;
        if let Some(p) = payment {
            data["payment"] = serde_json::to_value(p).map_err(AppError::internal)?;
        }
        self.emit_to(c, &targets, owner_id, event_type, data).await
    }

    async fn targets(&self, c: &mut impl Conn, owner_id: i64, event_type: &str) -> AppResult<Vec<Endpoint>> {
        debug_assert!(EVENT_TYPES.iter().any(|(t, _)| *t == event_type), "unknown event type {event_type}");
        Ok(webhooks::endpoints_of(c, owner_id)
            .await?
            .into_iter()
            .filter(|e| e.enabled && e.wants(event_type))
            .collect())
    }

    async fn emit_to(
        &self,
        c: &mut impl Conn,
        targets: &[Endpoint],
        owner_id: i64,
        event_type: &str,
        data: Value,
    ) -> AppResult<()> {
        if targets.is_empty() {
            return Ok(());
        }
        let now = self.now();
        let id = webhooks::insert_event(c, owner_id, event_type, now).await?;
        let body = json!({
            "id": id,
            "type": event_type,
            "created_at": paygate_core::time::rfc3339(now),
            "owner_id": owner_id,
            "data": data,
        });
        webhooks::set_event_body(c, id, &body.to_string()).await?;
        for e in targets {
            webhooks::insert_delivery(c, e.id, id, now).await?;
        }
        Ok(())
    }

    /// Attempts every delivery due at `now`; returns how many were attempted. The job calls it
    /// with the clock; tests call it with later times to walk the retry schedule.
    pub async fn deliver_webhooks(&self, now: i64) -> AppResult<usize> {
        let due = {
            let mut c = self.store.conn().await?;
            webhooks::claim_due(&mut c, now, LEASE, CLAIM).await?
        };
        let n = due.len();
        // Endpoints are served side by side, each with at most PER_ENDPOINT attempts in flight,
        // so one slow receiver does not hold up the others.
        let mut by_endpoint: BTreeMap<i64, Vec<Delivery>> = BTreeMap::new();
        for d in due {
            by_endpoint.entry(d.webhook_id).or_default().push(d);
        }
        let endpoint_runs = by_endpoint.into_values().map(|mut queue| async move {
            while !queue.is_empty() {
                let batch: Vec<Delivery> = queue.drain(..queue.len().min(PER_ENDPOINT)).collect();
                for r in futures::future::join_all(batch.into_iter().map(|d| self.attempt(d, now))).await {
                    if let Err(e) = r {
                        tracing::error!(error = %e, "recording a webhook attempt failed");
                    }
                }
            }
        });
        futures::future::join_all(endpoint_runs).await;
        Ok(n)
    }

    pub(crate) async fn prune_webhook_log(&self) -> AppResult<()> {
        let mut c = self.store.conn().await?;
        webhooks::prune(&mut c, self.now() - KEEP_LOG).await?;
        Ok(())
    }

    async fn attempt(&self, d: Delivery, now: i64) -> AppResult<()> {
        let endpoint = {
            let mut c = self.store.conn().await?;
            webhooks::endpoint_by_id(&mut c, d.webhook_id).await?
        };
        let started = Instant::now();
        let outcome = match (&endpoint, &d.request_body) {
            (Some(e), Some(body)) => self.post(e, &d, body, now).await,
            _ => Outcome::Permanent {
                http_status: None,
                error: "endpoint deleted or event pruned".into(),
                excerpt: None,
            },
        };
        let duration_ms = started.elapsed().as_millis() as i64;
        let attempt = d.attempt + 1;
        let (status, http_status, error, excerpt, next) = match &outcome {
            Outcome::Delivered { http_status, excerpt } => {
                ("succeeded", Some(*http_status), None, excerpt.clone(), None)
            }
            Outcome::Retry { http_status, error, excerpt } => match RETRY_DELAYS.get(attempt as usize - 1) {
                Some(delay) => ("retrying", *http_status, Some(error.clone()), excerpt.clone(), Some(now + delay)),
                None => ("failed", *http_status, Some(error.clone()), excerpt.clone(), None),
            },
            Outcome::Permanent { http_status, error, excerpt } => {
                ("failed", *http_status, Some(error.clone()), excerpt.clone(), None)
            }
        };
        let mut tx = self.store.begin().await?;
        let claim = d.locked_until.ok_or_else(|| AppError::internal("attempt without a claim"))?;
        let recorded = webhooks::record_attempt(
            &mut tx,
            d.id,
            claim,
            AttemptResult {
                status,
                http_status,
                error: error.as_deref(),
                duration_ms,
                response_excerpt: excerpt.as_deref(),
                next_attempt_at: next,
            },
        )
        .await?;
        if !recorded {
            // Another worker owns the delivery now (or it was cancelled): its record stands.
            tracing::info!(
                delivery_id = d.id,
                "webhook attempt not recorded: the delivery was taken over or cancelled"
            );
            return Ok(());
        }
        if let Some(e) = endpoint {
            let ok = matches!(outcome, Outcome::Delivered { .. });
            webhooks::endpoint_attempted(&mut tx, e.id, ok, now).await?;
            let failing_since = if ok { None } else { e.failing_since.or(Some(now)) };
            if e.enabled && failing_since.is_some_and(|since| now - since >= DISABLE_AFTER) {
                webhooks::disable_endpoint(&mut tx, e.id).await?;
                self.notify_owner(
                    &mut tx,
                    e.owner_id,
                    "webhook_disabled",
                    "Webhook endpoint disabled",
                    &format!("Every delivery to {} failed for 5 days; the endpoint is disabled.", e.url),
                    json!({ "webhook_id": e.id }),
                )
                .await?;
                tracing::warn!(webhook_id = e.id, "webhook endpoint disabled after 5 days of failures");
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn post(&self, e: &Endpoint, d: &Delivery, body: &str, now: i64) -> Outcome {
        let retry = |error: String| Outcome::Retry { http_status: None, error, excerpt: None };
        // Checked on every attempt, and the checked address is the one connected to: a name
        // cannot resolve to a public address for the check and a private one for the request.
        let pinned = match self.resolve_target(&e.url).await {
            Ok(p) => p,
            // A name that does not resolve now may resolve later; a refused target stays refused.
            Err(err) if err.to_string().contains("does not resolve") => return retry(err.to_string()),
            Err(err) => return Outcome::Permanent { http_status: None, error: err.to_string(), excerpt: None },
        };
        let secret = match self.secret_box.open(&e.secret_sealed) {
            Ok(s) => s,
            Err(err) => return Outcome::Permanent { http_status: None, error: err.to_string(), excerpt: None },
        };
        let mut client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("paygate-webhooks/1");
        if let Some((host, addr)) = pinned {
            client = client.resolve(&host, addr);
        }
        let client = match client.build() {
            Ok(c) => c,
            Err(err) => return retry(err.to_string()),
        };
        let res = client
            .post(&e.url)
            .header("Content-Type", "application/json")
            .header("X-Webhook-Id", d.event_id.to_string())
            .header("X-Webhook-Event", &d.event_type)
            .header("X-Webhook-Delivery", d.id.to_string())
            // Signed when sent: a batch may go out well after it was claimed at `now`.
            .header("X-Webhook-Signature", signature(&secret, self.now().max(now), body.as_bytes()))
            .body(body.to_owned())
            .send()
            .await;
        let res = match res {
            Ok(r) => r,
            Err(err) => return retry(if err.is_timeout() { "timeout".into() } else { format!("connection: {err}") }),
        };
        let status = res.status().as_u16();
        let excerpt = res.bytes().await.ok().map(|b| excerpt_of(&b));
        let http_status = Some(status as i64);
        match status {
            200..=299 => Outcome::Delivered { http_status: status as i64, excerpt },
            408 | 429 | 500..=599 => Outcome::Retry { http_status, error: format!("HTTP {status}"), excerpt },
            _ => Outcome::Permanent { http_status, error: format!("HTTP {status}"), excerpt },
        }
    }

    /// Refuses a target URL the instance may not call (§5.1), with 400 `4005`.
    async fn check_target(&self, url: &str) -> AppResult<()> {
        if url.len() > 500 {
            return Err(AppError::field(ErrorCode::FieldFormat, "url", "At most 500 characters"));
        }
        self.resolve_target(url).await.map(|_| ())
    }

    /// The host and the one public address to connect to (`None` for an IP literal or when
    /// private targets are allowed).
    async fn resolve_target(&self, url: &str) -> AppResult<Option<(String, SocketAddr)>> {
        let bad = |m: &'static str| AppError::field(ErrorCode::FieldFormat, "url", m);
        let u = url::Url::parse(url).map_err(|_| bad("Not a URL"))?;
        match u.scheme() {
            "https" => {}
            "http" if self.config.allow_insecure_urls => {}
            _ => return Err(bad("The URL must use https")),
        }
        if !u.username().is_empty() || u.password().is_some() {
            return Err(bad("Credentials in the URL are not allowed"));
        }
        let host = u.host_str().ok_or_else(|| bad("The URL has no host"))?.trim_matches(['[', ']']).to_owned();
        let port = u.port_or_known_default().unwrap_or(443);
        let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => tokio::time::timeout(Duration::from_secs(5), tokio::net::lookup_host((host.as_str(), port)))
                .await
                .map_err(|_| bad("The host does not resolve"))?
                .map_err(|_| bad("The host does not resolve"))?
                .collect(),
        };
        if addrs.is_empty() {
            return Err(bad("The host does not resolve"));
        }
        if self.config.webhook_allow_private {
            return Ok(None);
        }
        if addrs.iter().any(|a| !is_public(a.ip())) {
            return Err(bad("The host resolves to a private, loopback or link-local address"));
        }
        Ok(host.parse::<IpAddr>().is_err().then(|| (host, addrs[0])))
    }
}

enum Outcome {
    Delivered { http_status: i64, excerpt: Option<String> },
    Retry { http_status: Option<i64>, error: String, excerpt: Option<String> },
    Permanent { http_status: Option<i64>, error: String, excerpt: Option<String> },
}

/// The first KiB of a receiver's answer as text, cut on a character boundary.
fn excerpt_of(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut end = text.len().min(1024);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// `t=<unix>,v1=<hex HMAC-SHA256(secret, "t.body")>`.
pub fn signature(secret: &[u8], t: i64, body: &[u8]) -> String {
    let mut signed = format!("{t}.").into_bytes();
    signed.extend_from_slice(body);
    format!("t={t},v1={}", hex::encode(crypto::hmac_sha256(secret, &signed)))
}

fn event_types(types: Vec<String>) -> AppResult<String> {
    if let Some(bad) = types.iter().find(|t| !EVENT_TYPES.iter().any(|(k, _)| k == t)) {
        return Err(AppError::field(ErrorCode::FieldFormat, "event_types", format!("Unknown event type {bad}")));
    }
    let mut types = types;
    types.dedup();
    Ok(serde_json::to_string(&types).expect("strings"))
}

/// Whether an address is reachable on the public internet.
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64)
                || (o[0] == 198 && (o[1] & 0xfe) == 18)
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            let embedded = |hi: u16, lo: u16| IpAddr::V4(std::net::Ipv4Addr::from(((hi as u32) << 16) | lo as u32));
            // NAT64 (64:ff9b::/96) and IPv4-compatible (::a.b.c.d) carry the IPv4 target in the
            // last 32 bits, 6to4 (2002::/16) in bits 16–48: judge that address.
            if (s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0])
                || (s[..6] == [0; 6] && (s[6] != 0 || s[7] > 1))
            {
                return is_public(embedded(s[6], s[7]));
            }
            if s[0] == 0x2002 {
                return is_public(embedded(s[1], s[2]));
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || s[0] == 0x2001 && s[1] == 0x0db8)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_addresses() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["1.1.1.1", "8.8.8.8", "2606:4700::1111", "64:ff9b::808:808", "2002:808:808::"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn excerpts_stop_at_a_character_boundary() {
        let mut body = vec![b'a'; 1023];
        body.extend("é and more".as_bytes());
        let x = excerpt_of(&body);
        assert_eq!(x.len(), 1023);
        assert_eq!(excerpt_of(&[0xff; 2000]).len(), 1023, "invalid UTF-8 becomes 3-byte replacements");
    }

    #[test]
    fn signature_is_hmac_of_t_dot_body() {
        // printf '1738324805.{}' | openssl dgst -sha256 -hmac whsec_test
        assert_eq!(
            signature(b"whsec_test", 1738324805, b"{}"),
            "t=1738324805,v1=e0d8a7b951196f682193ebbedd279c6c755135a8f306678dd4cbda64d53f23e4"
        );
    }
}
