//! Sends the e-mail outbox. A message is leased before sending so two nodes never send it
//! twice at once; failures back off and are retried.

use std::sync::Arc;
use std::time::Duration;

use paygate_core::AppResult;
use paygate_store::mail;

use crate::Services;
use crate::mail::Mailer;

const LEASE_SECONDS: i64 = 120;
const MAX_ATTEMPTS: i64 = 12;

pub(super) async fn run(
    services: Arc<Services>,
    mailer: Arc<Mailer>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        match send_due_mail(&services, &mailer).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "mail job failed"),
        }
        tokio::select! {
            _ = services.mail_wakeup.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Sends what is due now; returns how many messages were handled.
pub async fn send_due_mail(services: &Services, mailer: &Mailer) -> AppResult<usize> {
    let now = paygate_core::time::now();
    let mut tx = services.store.begin().await?;
    let batch = mail::claim_due(&mut tx, now, now + LEASE_SECONDS, 20).await?;
    tx.commit().await?;
    for m in &batch {
        let result = mailer.send(m.id, &m.to_addr, &m.subject, &m.body).await;
        let mut tx = services.store.begin().await?;
        match result {
            Ok(()) => mail::mark_sent(&mut tx, m.id, paygate_core::time::now()).await?,
            Err(e) => {
                tracing::warn!(mail_id = m.id, attempt = m.attempts + 1, error = %e, "sending mail failed");
                let next = if m.attempts + 1 >= MAX_ATTEMPTS { i64::MAX } else { now + 30 * (1 << m.attempts.min(10)) };
                mail::mark_failed(&mut tx, m.id, &e.to_string(), next).await?;
            }
        }
        tx.commit().await?;
    }
    Ok(batch.len())
}
