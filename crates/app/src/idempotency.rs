//! Idempotency keys (§1.7): one mechanism for every route marked Idem. The HTTP layer computes
//! the principal and the fingerprint; this decides between executing, replaying and refusing.

use paygate_core::{AppError, AppResult, ErrorCode};
use paygate_store::idempotency;

use crate::Services;

/// How long an answer is kept.
pub const KEEP_SECONDS: i64 = 24 * 3600;
/// A first execution that has not finished after this long is taken as abandoned.
const ABANDONED_AFTER: i64 = 120;

/// What to do with a request that carries a key.
#[derive(Debug)]
pub enum IdemDecision {
    /// Execute it; then [`Services::idem_finish`].
    Execute,
    /// Answer with what the first request answered.
    Replay { status: u16, content_type: Option<String>, body: Vec<u8> },
}

impl Services {
    pub async fn idem_begin(&self, principal: &str, key: &str, fingerprint: &str) -> AppResult<IdemDecision> {
        let now = self.now();
        for _ in 0..3 {
            let mut tx = self.store.begin().await?;
            if idempotency::claim(&mut tx, principal, key, fingerprint, now).await? {
                tx.commit().await?;
                return Ok(IdemDecision::Execute);
            }
            let Some(e) = idempotency::get(&mut tx, principal, key).await? else { continue };
            let stale =
                now - e.created_at >= KEEP_SECONDS || (e.state == "running" && now - e.created_at >= ABANDONED_AFTER);
            if stale {
                idempotency::release(&mut tx, principal, key).await?;
                tx.commit().await?;
                continue;
            }
            if e.fingerprint != fingerprint {
                return Err(AppError::field(
                    ErrorCode::IdempotencyKeyReused,
                    "Idempotency-Key",
                    "This key was used for another request",
                ));
            }
            if e.state == "running" {
                return Err(AppError::field(
                    ErrorCode::IdempotencyInProgress,
                    "Idempotency-Key",
                    "A request with this key is still executing",
                ));
            }
            return Ok(IdemDecision::Replay {
                status: e.status.unwrap_or(200) as u16,
                content_type: e.content_type,
                body: e.body.unwrap_or_default(),
            });
        }
        Err(AppError::new(ErrorCode::Conflict, "Idempotency key contended; retry"))
    }

    /// Keeps the answer when §1.7 says so (200, 204, 422, 409 other than 4092/4093), else
    /// forgets the key so the client may retry with it.
    pub async fn idem_finish(
        &self,
        principal: &str,
        key: &str,
        status: u16,
        code: Option<u16>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> AppResult<()> {
        let keep = matches!(status, 200 | 204 | 422) || (status == 409 && !matches!(code, Some(4092 | 4093)));
        let mut tx = self.store.begin().await?;
        if keep {
            idempotency::complete(&mut tx, principal, key, status as i64, content_type, body).await?;
        } else {
            idempotency::release(&mut tx, principal, key).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn purge_idempotency_keys(&self) -> AppResult<u64> {
        let mut tx = self.store.begin().await?;
        let n = idempotency::purge_before(&mut tx, self.now() - KEEP_SECONDS).await?;
        tx.commit().await?;
        Ok(n)
    }
}
