//! The paygate binary's library: configuration and wiring. `main` parses the command line and
//! calls [`build`] and [`serve`]; tests call the same two functions.

pub mod config;

use std::future::Future;
use std::sync::Arc;

use anyhow::Context;
use paygate_app::Services;
use paygate_app::mail::Mailer;
use paygate_store::Store;
use tokio::net::TcpListener;

pub use config::{Config, Source};

/// Connects the database, migrates it when configured, and builds the services.
pub async fn build(config: &Config) -> anyhow::Result<Arc<Services>> {
    let store = Store::connect(&config.database_url).await.context("connecting the database")?;
    if config.migrate_on_start {
        store.migrate().await.context("migrating the database")?;
    }
    let services = Services::new(config.app.clone(), store);
    services.bootstrap().await.map_err(|e| anyhow::anyhow!("bootstrap: {e}"))?;
    Ok(services)
}

/// Serves HTTP on `listener` (and runs the background jobs when configured) until `shutdown`
/// completes; then stops accepting, finishes open requests and stops the jobs.
pub async fn serve(
    config: &Config,
    services: Arc<Services>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let jobs = if config.jobs {
        let mailer = Arc::new(Mailer::new(&config.app.mail, &config.app.mail_from)?);
        paygate_app::jobs::spawn_all(services.clone(), mailer, stop_rx)
    } else {
        vec![]
    };
    let app = paygate_api::app(services.clone());
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await.context("HTTP server")?;
    let _ = stop_tx.send(true);
    for j in jobs {
        let _ = j.await;
    }
    services.store.close().await;
    Ok(())
}
