//! Integration API keys (§1.3.3, §5.2): `gk_live_…`/`gk_test_…`, shown once, kept as a keyed
//! hash, compared through that hash; a key acts for its owner as role 2 within its scopes.

use paygate_core::{AppError, AppResult, ErrorCode};
use paygate_store::api_keys::{self, ApiKey};
use paygate_store::users;

use crate::actor::Actor;
use crate::codes::Purpose;
use crate::{NetworkMode, Services, crypto};

const MAX_ACTIVE: usize = 20;
pub const SCOPES: [&str; 2] = ["invoice", "payout"];

/// The caller behind a valid `X-API-Key`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct KeyActor {
    pub key_id: i64,
    pub owner_id: i64,
    pub scopes: Vec<String>,
    /// The key's owner as read with the key: a key's call needs its plan and KYC status, and
    /// reading them again would cost a round trip for the same row.
    pub owner: std::sync::Arc<paygate_store::owners::Owner>,
}

impl KeyActor {
    pub fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub name: String,
    pub scopes: Vec<String>,
    pub expires_at: Option<i64>,
    pub otp: Option<String>,
}

impl Services {
    fn key_hash(&self, key: &str) -> String {
        hex::encode(crypto::hmac_sha256(&self.config.encryption_key.0, format!("api-key\0{key}").as_bytes()))
    }

    /// Verifies `X-API-Key` (401 4017 for unknown, revoked or expired keys).
    pub async fn authenticate_key(&self, key: &str) -> AppResult<KeyActor> {
        let invalid = || AppError::field(ErrorCode::ApiKeyInvalid, "X-API-Key", "API key invalid");
        let mut c = self.store.conn().await?;
        let (k, owner) = api_keys::by_hash(&mut c, &self.key_hash(key)).await?.ok_or_else(invalid)?;
        let now = self.now();
        if k.status_id != 1 || k.expires_at.is_some_and(|t| t <= now) {
            return Err(invalid());
        }
        if owner.status == paygate_store::owners::STATUS_SUSPENDED {
            return Err(AppError::new(ErrorCode::AccountDisabled, "Owner suspended"));
        }
        if k.last_used_at.is_none_or(|t| now - t >= 60) {
            api_keys::touch(&mut c, k.id, now).await?;
        }
        self.throttle(&format!("key:{}", k.id), 600, crate::ratelimit::MINUTE)?;
        Ok(KeyActor { key_id: k.id, owner_id: k.owner_id, scopes: k.scope_list(), owner: std::sync::Arc::new(owner) })
    }

    pub async fn api_keys(&self, actor: &Actor) -> AppResult<Vec<ApiKey>> {
        let owner_id = self.owner_of(actor)?;
        let mut c = self.store.conn().await?;
        Ok(api_keys::of_owner(&mut c, owner_id).await?)
    }

    /// `POST /api/integration-key`: returns the key row and the full secret (shown once).
    pub async fn create_api_key(&self, actor: &Actor, n: NewApiKey) -> AppResult<(ApiKey, String)> {
        let owner_id = self.owner_of(actor)?;
        let mut tx = self.store.begin().await?;
        if n.scopes.iter().any(|s| s == "payout") {
            let user = users::by_id(&mut tx, actor.user_id).await?.ok_or_else(|| AppError::internal("user missing"))?;
            let Some(otp) = n.otp.as_deref() else {
                return Err(AppError::field(ErrorCode::FieldRequired, "otp", "A payout key needs the second factor"));
            };
            tx = self.check_second_factor(tx, &user, Purpose::IntegrationKey, otp, "otp").await?;
        }
        let active = api_keys::of_owner(&mut tx, owner_id).await?.into_iter().filter(|k| k.status_id == 1).count();
        if active >= MAX_ACTIVE {
            return Err(AppError::new(ErrorCode::QuotaExceeded, "20 active keys already"));
        }
        let env = if self.config.network_mode == NetworkMode::Main { "live" } else { "test" };
        let key = format!("gk_{env}_{}", crypto::opaque_token());
        let prefix: String = key.chars().take(12).collect();
        let scopes = serde_json::to_string(&n.scopes).expect("scopes");
        let id = api_keys::insert(
            &mut tx,
            api_keys::NewKey {
                owner_id,
                name: &n.name,
                prefix: &prefix,
                key_hash: &self.key_hash(&key),
                scopes: &scopes,
                expires_at: n.expires_at,
                user_id: actor.user_id,
                now: self.now(),
            },
        )
        .await?;
        let row = api_keys::get(&mut tx, owner_id, id).await?.ok_or_else(|| AppError::internal("key vanished"))?;
        tx.commit().await?;
        Ok((row, key))
    }

    /// `DELETE /api/integration-key`: revokes at once; idempotent.
    pub async fn revoke_api_key(&self, actor: &Actor, id: i64) -> AppResult<()> {
        let owner_id = self.owner_of(actor)?;
        let mut tx = self.store.begin().await?;
        api_keys::get(&mut tx, owner_id, id).await?.ok_or_else(|| AppError::not_found("API key"))?;
        api_keys::revoke(&mut tx, owner_id, id).await?;
        tx.commit().await?;
        Ok(())
    }
}
