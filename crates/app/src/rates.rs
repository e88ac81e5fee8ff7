//! Rates (§2.7): static operator rates, and live rates of a market-data source kept in memory
//! with their age. A static rate wins; a stale live rate is refused.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::Duration;

use paygate_core::{Amount, AppError, AppResult, ErrorCode};
use paygate_store::{Conn, DbAmount, catalogue, rates};

use crate::Services;

/// Where a rate came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateOrigin {
    Static,
    Provider,
}

impl RateOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            RateOrigin::Static => "static",
            RateOrigin::Provider => "provider",
        }
    }
}

/// A rate with when it was set or fetched.
#[derive(Debug, Clone)]
pub struct Rate {
    pub rate: Amount,
    pub origin: RateOrigin,
    pub at: i64,
}

/// A source of live market rates: pairs of coin codes and the price of one `base` in `quote`.
#[async_trait::async_trait]
pub trait RateSource: Send + Sync {
    fn name(&self) -> &str;
    async fn fetch(&self) -> Result<Vec<(String, String, Amount)>, String>;
}

/// Binance's public ticker (`GET /api/v3/ticker/price?symbols=[…]`), whose answer is
/// `[{"symbol":"BTCUSDT","price":"64000.01000000"}, …]`. Prices are read as exact decimals.
pub struct BinanceTicker {
    pub base_url: String,
    /// Symbols as (base coin code, quote coin code).
    pub pairs: Vec<(String, String)>,
    client: reqwest::Client,
}

impl BinanceTicker {
    pub fn new(base_url: &str, pairs: Vec<(String, String)>) -> BinanceTicker {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("HTTP client");
        BinanceTicker { base_url: base_url.trim_end_matches('/').to_owned(), pairs, client }
    }
}

#[async_trait::async_trait]
impl RateSource for BinanceTicker {
    fn name(&self) -> &str {
        "binance"
    }

    async fn fetch(&self) -> Result<Vec<(String, String, Amount)>, String> {
        let symbols: Vec<String> = self.pairs.iter().map(|(b, q)| format!("\"{b}{q}\"")).collect();
        let mut url = url::Url::parse(&format!("{}/api/v3/ticker/price", self.base_url)).map_err(|e| e.to_string())?;
        url.query_pairs_mut().append_pair("symbols", &format!("[{}]", symbols.join(",")));
        let res = self.client.get(url.clone()).send().await.map_err(|e| format!("{url}: {e}"))?;
        if !res.status().is_success() {
            return Err(format!("{url}: HTTP {}", res.status()));
        }
        let body = res.bytes().await.map_err(|e| e.to_string())?;
        let items: Vec<serde_json::Value> = serde_json::from_slice(&body).map_err(|e| format!("ticker JSON: {e}"))?;
        let mut out = Vec::new();
        for item in items {
            let (Some(symbol), Some(price)) = (item["symbol"].as_str(), item.get("price")) else { continue };
            let Some((base, quote)) = self.pairs.iter().find(|(b, q)| format!("{b}{q}") == symbol) else { continue };
            let price = Amount::from_json(price).map_err(|_| format!("price of {symbol} is not a decimal"))?;
            if price.is_positive() {
                out.push((base.clone(), quote.clone(), price));
            }
        }
        Ok(out)
    }
}

/// Live rates by coin pair, with when they were fetched.
#[derive(Default)]
pub struct LiveRates {
    rates: RwLock<HashMap<(i64, i64), (Amount, i64)>>,
    last_error: RwLock<Option<String>>,
}

impl LiveRates {
    pub fn set(&self, from: i64, to: i64, rate: Amount, at: i64) {
        self.rates.write().expect("rates lock").insert((from, to), (rate, at));
    }

    fn get(&self, from: i64, to: i64) -> Option<(Amount, i64)> {
        self.rates.read().expect("rates lock").get(&(from, to)).cloned()
    }

    pub fn all(&self) -> Vec<((i64, i64), (Amount, i64))> {
        let mut v: Vec<_> = self.rates.read().expect("rates lock").iter().map(|(k, v)| (*k, v.clone())).collect();
        v.sort_by_key(|(k, _)| *k);
        v
    }
}

/// Coins every conversion may pass through when no direct rate exists.
const BRIDGES: [i64; 2] = [1, 6];

impl Services {
    /// Fetches the live source once and stores what it returned; returns how many pairs.
    pub async fn refresh_rates(&self) -> AppResult<usize> {
        let Some(source) = &self.rate_source else { return Ok(0) };
        let fetched = match source.fetch().await {
            Ok(f) => f,
            Err(e) => {
                *self.live_rates.last_error.write().expect("rates lock") = Some(e.clone());
                return Err(AppError::new(
                    ErrorCode::DependencyUnavailable,
                    format!("rate source {}: {e}", source.name()),
                ));
            }
        };
        let mut c = self.store.conn().await?;
        let coins = catalogue::coins(&mut c).await?;
        let id_of = |code: &str| coins.iter().find(|c| c.code == code).map(|c| c.id);
        let now = self.now();
        let mut n = 0;
        for (base, quote, price) in fetched {
            if let (Some(from), Some(to)) = (id_of(&base), id_of(&quote)) {
                self.live_rates.set(from, to, price, now);
                n += 1;
            }
        }
        *self.live_rates.last_error.write().expect("rates lock") = None;
        Ok(n)
    }

    /// Whether live rates are usable: no source configured, or the last fetch worked.
    pub fn rates_healthy(&self) -> bool {
        self.rate_source.is_none() || self.live_rates.last_error.read().expect("rates lock").is_none()
    }

    fn fresh_live(&self, from: i64, to: i64) -> Option<Rate> {
        let (rate, at) = self.live_rates.get(from, to)?;
        (self.now() - at <= self.config.rate_max_age_secs).then_some(Rate { rate, origin: RateOrigin::Provider, at })
    }

    /// The rate of one pair without bridging: static (or its inverse), else a fresh live rate
    /// (or its inverse).
    fn direct_rate(&self, statics: &[rates::StaticRate], from: i64, to: i64) -> Option<Rate> {
        let stat = |f: i64, t: i64| statics.iter().find(|r| r.from_coin_id == f && r.to_coin_id == t);
        if let Some(r) = stat(from, to) {
            return Some(Rate { rate: r.rate.0.clone(), origin: RateOrigin::Static, at: r.updated_at });
        }
        if let Some(r) = stat(to, from) {
            return Some(Rate {
                rate: Amount::from_int(1).div(&r.rate.0)?.round_down(18),
                origin: RateOrigin::Static,
                at: r.updated_at,
            });
        }
        if let Some(r) = self.fresh_live(from, to) {
            return Some(r);
        }
        let r = self.fresh_live(to, from)?;
        Some(Rate { rate: Amount::from_int(1).div(&r.rate)?.round_down(18), ..r })
    }

    /// Units of `to` per 1 `from`: direct, or through USD or USDT. `None` when no usable rate.
    pub async fn rate(&self, c: &mut impl Conn, from: i64, to: i64) -> AppResult<Option<Rate>> {
        if from == to {
            return Ok(Some(Rate { rate: Amount::from_int(1), origin: RateOrigin::Static, at: self.now() }));
        }
        let reference = self.reference(c).await?;
        let statics = &reference.static_rates;
        if let Some(r) = self.direct_rate(statics, from, to) {
            return Ok(Some(r));
        }
        for bridge in BRIDGES.into_iter().filter(|b| *b != from && *b != to) {
            if let (Some(a), Some(b)) = (self.direct_rate(statics, from, bridge), self.direct_rate(statics, bridge, to))
            {
                let origin = if a.origin == RateOrigin::Static && b.origin == RateOrigin::Static {
                    RateOrigin::Static
                } else {
                    RateOrigin::Provider
                };
                return Ok(Some(Rate { rate: a.rate.mul(&b.rate).round_down(18), origin, at: a.at.min(b.at) }));
            }
        }
        Ok(None)
    }

    /// As [`Services::rate`], refusing with 500 5001 when there is none (outside payments).
    pub async fn require_rate(&self, c: &mut impl Conn, from: i64, to: i64) -> AppResult<Rate> {
        self.rate(c, from, to)
            .await?
            .ok_or_else(|| AppError::new(ErrorCode::DependencyUnavailable, format!("No rate for coin {from} → {to}")))
    }

    /// Converts `amount` of `from` into `to`, rounded down to `decimals`.
    pub async fn convert(
        &self,
        c: &mut impl Conn,
        amount: &Amount,
        from: i64,
        to: i64,
        decimals: i64,
    ) -> AppResult<Option<Amount>> {
        Ok(self.rate(c, from, to).await?.map(|r| amount.mul(&r.rate).round_down(decimals)))
    }

    /// Sandbox instances price in USD and EUR with nothing configured: seed static rates the
    /// operator can change.
    pub(crate) async fn seed_sandbox_rates(&self, c: &mut impl Conn) -> AppResult<()> {
        let now = self.now();
        for (from, to, rate) in [(3, 1, "65000"), (4, 1, "3200"), (5, 1, "0.12"), (6, 1, "1"), (2, 1, "1.08")] {
            let rate = DbAmount(Amount::parse(rate).expect("seed rate"));
            rates::seed_static(c, from, to, &rate, now).await?;
        }
        Ok(())
    }
}

/// Keeps the live rates fresh.
pub(crate) async fn refresh_loop(services: std::sync::Arc<Services>, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    if services.rate_source.is_none() {
        return;
    }
    loop {
        if let Err(e) = services.refresh_rates().await {
            tracing::warn!(error = %e, "rate refresh failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(services.config.rate_refresh_secs.max(1) as u64)) => {}
            _ = shutdown.changed() => return,
        }
    }
}

impl Services {
    /// `GET /admin/rate`: the static rates and the live ones with their age.
    pub async fn rate_table(&self) -> AppResult<(Vec<rates::StaticRate>, Vec<((i64, i64), (Amount, i64))>)> {
        let mut c = self.store.conn().await?;
        Ok((rates::static_rates(&mut c).await?, self.live_rates.all()))
    }

    /// `PUT /admin/rate`: sets (or with `None` removes) a static rate; audited.
    pub async fn set_static_rate(
        &self,
        operator: &crate::Actor,
        from: i64,
        to: i64,
        rate: Option<Amount>,
        client: &crate::ClientInfo,
    ) -> AppResult<()> {
        let mut tx = self.store.begin().await?;
        for (id, field) in [(from, "from_coin_id"), (to, "to_coin_id")] {
            if catalogue::coin(&mut tx, id).await?.is_none() {
                return Err(AppError::field(ErrorCode::NotFound, field, "Unknown coin"));
            }
        }
        let now = self.now();
        rates::set_static(&mut tx, from, to, rate.clone().map(DbAmount).as_ref(), now).await?;
        let after = serde_json::json!({ "from_coin_id": from, "to_coin_id": to, "rate": rate.map(|r| r.to_plain()) })
            .to_string();
        let change =
            crate::audit::Change { action: "rate.set", object_type: "rate", object_id: None, before: None, after };
        self.audit(&mut tx, operator, client, change).await?;
        tx.commit().await?;
        self.forget_reference();
        Ok(())
    }
}
