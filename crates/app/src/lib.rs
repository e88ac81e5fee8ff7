//! Use cases of paygate: services that combine the store, mail, rates and chains, and the
//! background jobs. The HTTP layer calls one service per request and maps its result.

pub mod actor;
pub mod api_keys;
pub mod config;
pub mod crypto;
pub mod jobs;
pub mod jwt;
pub mod mail;
pub mod ratelimit;
pub mod rates;
pub mod totp;

mod account;
mod audit;
mod auth;
mod balances;
mod catalogue;
mod codes;
mod dictionaries;
mod health;
mod idempotency;
pub mod ledger;
mod media;
mod notifications;
mod notify;
mod owners_admin;
pub mod payments;
mod personal;
mod policy;
mod products;
mod reference;
mod tfa;
mod transfers;
pub mod webhooks;

use std::sync::Arc;

use paygate_store::Store;

pub use account::*;
pub use actor::{ActiveOwner, Actor, ClientInfo, Scope};
pub use api_keys::{KeyActor, NewApiKey};
pub use auth::*;
pub use balances::*;
pub use catalogue::*;
pub use config::{AppConfig, ChainNode, MailTransport, NetworkMode, Secret};
pub use dictionaries::*;
pub use health::*;
pub use idempotency::*;
pub use ledger::{Adjustment, LedgerReport};
pub use media::*;
pub use notifications::*;
pub use owners_admin::*;
pub use paygate_store::users::ProfilePatch;
pub use payments::invoices::InvoiceCaller;
pub use payments::*;
pub use policy::{amount_error, check_amount};
pub use products::*;
pub use tfa::*;
pub use transfers::*;

/// Everything a request or a job needs. Shared behind an `Arc`.
pub struct Services {
    pub config: AppConfig,
    pub store: Store,
    pub limiter: ratelimit::Limiter,
    secret_box: crypto::SecretBox,
    /// Wakes the mail job when a unit of work queued mail.
    pub mail_wakeup: tokio::sync::Notify,
    pub(crate) rate_source: Option<Box<dyn rates::RateSource>>,
    pub live_rates: rates::LiveRates,
    reference_cache: reference::ReferenceCache,
    chains: payments::nodes::Chains,
    watched: payments::watched::WatchedSets,
}

impl Services {
    pub fn new(config: AppConfig, store: Store) -> Arc<Services> {
        // One TLS provider for every client (SMTP, rate source).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let secret_box = crypto::SecretBox::new(&config.encryption_key.0);
        let rate_source = config.rate_source_url.as_deref().map(|url| {
            Box::new(rates::BinanceTicker::new(url, config.rate_pairs.clone())) as Box<dyn rates::RateSource>
        });
        Arc::new(Services {
            config,
            store,
            limiter: ratelimit::Limiter::default(),
            secret_box,
            mail_wakeup: tokio::sync::Notify::new(),
            rate_source,
            live_rates: rates::LiveRates::default(),
            reference_cache: reference::ReferenceCache::default(),
            chains: payments::nodes::Chains::default(),
            watched: payments::watched::WatchedSets::default(),
        })
    }

    /// Seeds what every instance needs before it answers (time-zone dictionary).
    pub async fn bootstrap(&self) -> paygate_core::AppResult<()> {
        let mut tx = self.store.begin().await?;
        paygate_store::timezones::seed(&mut tx, &paygate_core::dict::timezones::names()).await?;
        if self.config.network_mode == NetworkMode::Sandbox {
            self.seed_sandbox_rates(&mut tx).await?;
            self.ensure_sandbox_key(&mut tx).await?;
        }
        tx.commit().await?;
        self.forget_reference();
        Ok(())
    }

    pub(crate) fn now(&self) -> i64 {
        paygate_core::time::now()
    }
}
