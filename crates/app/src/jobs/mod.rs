//! Background jobs. `paygate serve` runs them in-process; each is idempotent and safe to run on
//! several nodes at once.

mod mail;

use std::sync::Arc;

use tokio::task::JoinHandle;

use crate::Services;
use crate::mail::Mailer;

pub use mail::send_due_mail;

/// Starts every job; they stop when `shutdown` fires.
pub fn spawn_all(
    services: Arc<Services>,
    mailer: Arc<Mailer>,
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> Vec<JoinHandle<()>> {
    vec![
        tokio::spawn(mail::run(services.clone(), mailer, shutdown.clone())),
        tokio::spawn(crate::rates::refresh_loop(services.clone(), shutdown.clone())),
        tokio::spawn(housekeeping(services.clone(), shutdown.clone())),
        tokio::spawn(crate::payments::sandbox::run(services.clone(), shutdown.clone())),
        tokio::spawn(crate::payments::nodes::run(services.clone(), shutdown.clone())),
        tokio::spawn(invoice_clock(services.clone(), shutdown.clone())),
        tokio::spawn(webhook_delivery(services.clone(), shutdown.clone())),
        tokio::spawn(sweep_limiter(services, shutdown)),
    ]
}

async fn sweep_limiter(services: Arc<Services>, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(300)) => services.limiter.sweep(std::time::Duration::from_secs(3600)),
            _ = shutdown.changed() => return,
        }
    }
}

/// Renews subscriptions and forgets idempotency keys older than 24 hours, once a minute.
async fn housekeeping(services: Arc<Services>, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    loop {
        if let Err(e) = services.renew_subscriptions().await {
            tracing::error!(error = %e, "subscription renewal failed");
        }
        if let Err(e) = services.purge_idempotency_keys().await {
            tracing::error!(error = %e, "idempotency key purge failed");
        }
        if let Err(e) = services.prune_webhook_log().await {
            tracing::error!(error = %e, "webhook log prune failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(60)) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Expiry and monitoring windows of invoices, and expiry of temporary pay links.
async fn invoice_clock(services: Arc<Services>, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    loop {
        if let Err(e) = services.advance_due_invoices().await {
            tracing::error!(error = %e, "invoice clock failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(5)) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Attempts due webhook deliveries every second.
async fn webhook_delivery(services: Arc<Services>, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    loop {
        if let Err(e) = services.deliver_webhooks(paygate_core::time::now()).await {
            tracing::error!(error = %e, "webhook delivery failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
            _ = shutdown.changed() => return,
        }
    }
}
