//! Sessions, access and refresh tokens, and the per-request authentication check.

use paygate_core::{AppError, AppResult, ErrorCode, Role};
use paygate_store::users::User;
use paygate_store::{Tx, memberships, owners, sessions, users};

use super::TokenPair;
use crate::actor::{ActiveOwner, Actor, ClientInfo, Scope};
use crate::jwt::{self, Claims, JwtError};
use crate::{Services, crypto};

pub const ACCESS_TTL: i64 = 900;
const REFRESH_TTL_FULL: i64 = 30 * 24 * 3600;
const REFRESH_TTL_SIGNUP: i64 = 24 * 3600;

/// `POST /auth/token/check`.
#[derive(Debug, Clone)]
pub struct TokenCheck {
    pub user_id: i64,
    pub owner_id: Option<i64>,
    pub role_id: Option<i64>,
    pub scope: Scope,
    pub operator: bool,
    pub expires_at: i64,
}

impl Services {
    /// Verifies an access token and everything behind it: signature and lifetime, the session
    /// still open, the user not blocked, the membership of the token's owner still active.
    pub async fn authenticate(&self, token: &str) -> AppResult<Actor> {
        let now = self.now();
        let claims = jwt::decode(token, &self.config.jwt_secret.0, now).map_err(|e| match e {
            JwtError::Expired => AppError::new(ErrorCode::TokenExpired, "Access token expired"),
            JwtError::Invalid => invalid_token(),
        })?;
        let user_id: i64 = claims.sub.parse().map_err(|_| invalid_token())?;
        let mut c = self.store.conn().await?;
        let s = sessions::check(&mut c, claims.sid, claims.oid).await?.ok_or_else(invalid_token)?;
        if s.user_id != user_id || s.closed_at.is_some() || s.expires_at <= now || s.scope != claims.scp {
            return Err(invalid_token());
        }
        if s.user_status == users::STATUS_BLOCKED {
            return Err(AppError::new(ErrorCode::AccountDisabled, "Account disabled"));
        }
        let owner = match (claims.oid, claims.rol) {
            (Some(oid), Some(rol)) => {
                if s.membership_status != Some(memberships::STATUS_ACTIVE) || s.role_id != Some(rol) {
                    return Err(invalid_token());
                }
                if s.owner_status == Some(owners::STATUS_SUSPENDED) {
                    return Err(AppError::new(ErrorCode::AccountDisabled, "Owner suspended"));
                }
                Some(ActiveOwner { id: oid, role: Role::from_id(rol).ok_or_else(invalid_token)? })
            }
            (None, None) => None,
            _ => return Err(invalid_token()),
        };
        let scope = if claims.scp == "signup" { Scope::Signup } else { Scope::Full };
        Ok(Actor {
            user_id,
            session_id: claims.sid,
            scope,
            owner,
            operator: s.is_operator && claims.opr,
            expires_at: claims.exp,
        })
    }

    /// `POST /auth/token/check`: what a valid token says.
    pub async fn check_token(&self, token: &str) -> AppResult<TokenCheck> {
        let actor = self.authenticate(token).await?;
        Ok(TokenCheck {
            user_id: actor.user_id,
            owner_id: actor.owner.map(|o| o.id),
            role_id: actor.owner.map(|o| o.role.id() as i64),
            scope: actor.scope,
            operator: actor.operator,
            expires_at: actor.expires_at,
        })
    }

    pub(crate) fn access_token(
        &self,
        user: &User,
        session_id: i64,
        scope: Scope,
        owner: Option<ActiveOwner>,
    ) -> String {
        let now = self.now();
        let claims = Claims {
            sub: user.id.to_string(),
            oid: owner.map(|o| o.id),
            rol: owner.map(|o| o.role.id() as i64),
            sid: session_id,
            scp: scope.as_str().to_owned(),
            opr: user.is_operator,
            iat: now,
            exp: now + ACCESS_TTL,
            jti: hex::encode(crypto::random_bytes(12)),
        };
        jwt::encode(&claims, &self.config.jwt_secret.0)
    }

    async fn new_refresh_token(&self, tx: &mut Tx, session_id: i64, expires_at: i64) -> AppResult<String> {
        let token = crypto::opaque_token();
        sessions::insert_refresh(tx, session_id, &crypto::sha256_hex(token.as_bytes()), expires_at, self.now()).await?;
        Ok(token)
    }

    /// Opens a session and issues its first token pair, inside the caller's unit of work.
    pub(crate) async fn open_session(
        &self,
        tx: &mut Tx,
        user: &User,
        scope: Scope,
        owner: Option<ActiveOwner>,
        client: &ClientInfo,
    ) -> AppResult<TokenPair> {
        let now = self.now();
        let ttl = if scope == Scope::Signup { REFRESH_TTL_SIGNUP } else { REFRESH_TTL_FULL };
        let session_id = sessions::insert(
            tx,
            sessions::NewSession {
                user_id: user.id,
                scope: scope.as_str(),
                owner_id: owner.map(|o| o.id),
                ip: Some(&client.ip),
                user_agent: client.user_agent.as_deref(),
                now,
                expires_at: now + ttl,
            },
        )
        .await?;
        let refresh_token = self.new_refresh_token(tx, session_id, now + ttl).await?;
        Ok(TokenPair { token: self.access_token(user, session_id, scope, owner), refresh_token })
    }

    /// The owner a session acts for: the requested one (which must be a usable membership; an
    /// open invitation is accepted by asking for it), else the last used, else the oldest.
    pub(crate) async fn choose_owner(
        &self,
        tx: &mut Tx,
        user: &User,
        requested: Option<i64>,
    ) -> AppResult<Option<ActiveOwner>> {
        let not_member = || AppError::field(ErrorCode::NotAMember, "owner_id", "Not a member of this owner");
        if let Some(owner_id) = requested {
            if user.is_operator {
                return Err(not_member());
            }
            let m = memberships::find(tx, user.id, owner_id).await?.ok_or_else(not_member)?;
            let now = self.now();
            let usable = m.status_id == memberships::STATUS_ACTIVE
                || (m.status_id == memberships::STATUS_INVITED && m.expires_at.is_none_or(|e| e > now));
            if !usable {
                return Err(not_member());
            }
            if m.owner_status == owners::STATUS_SUSPENDED {
                return Err(AppError::new(ErrorCode::AccountDisabled, "Owner suspended"));
            }
            if m.status_id == memberships::STATUS_INVITED {
                memberships::set_status(tx, m.id, memberships::STATUS_ACTIVE).await?;
            }
            return Ok(Some(ActiveOwner { id: owner_id, role: Role::from_id(m.role_id).ok_or_else(not_member)? }));
        }
        let all = memberships::of_user(tx, user.id).await?;
        let usable: Vec<_> = all
            .iter()
            .filter(|m| m.status_id == memberships::STATUS_ACTIVE && m.owner_status == owners::STATUS_ACTIVE)
            .collect();
        let pick = usable.iter().find(|m| Some(m.owner_id) == user.last_owner_id).or_else(|| usable.first()).copied();
        Ok(pick.and_then(|m| Role::from_id(m.role_id).map(|role| ActiveOwner { id: m.owner_id, role })))
    }

    /// `POST /auth/token/refresh`: rotation with reuse detection (§1.3.2).
    pub async fn refresh(
        &self,
        refresh_token: &str,
        owner_id: Option<i64>,
        client: &ClientInfo,
    ) -> AppResult<TokenPair> {
        self.throttle(&format!("refresh:{}", client.ip), 30, crate::ratelimit::MINUTE)?;
        let invalid = || AppError::field(ErrorCode::RefreshTokenInvalid, "refreshToken", "Refresh token invalid");
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let rt = sessions::refresh_by_hash(&mut tx, &crypto::sha256_hex(refresh_token.as_bytes()))
            .await?
            .ok_or_else(invalid)?;
        let session = sessions::by_id(&mut tx, rt.session_id).await?.ok_or_else(invalid)?;
        if rt.consumed_at.is_some() || !sessions::consume_refresh(&mut tx, rt.id, now).await? {
            // A consumed token presented again: someone holds a copy. Revoke the whole family.
            sessions::close(&mut tx, session.id, "refresh_reuse", now).await?;
            tx.commit().await?;
            tracing::warn!(session_id = session.id, "refresh token reuse: session revoked");
            return Err(invalid());
        }
        if rt.expires_at <= now || session.closed_at.is_some() || session.expires_at <= now {
            return Err(invalid());
        }
        let user = users::by_id(&mut tx, session.user_id).await?.ok_or_else(invalid)?;
        if user.status == users::STATUS_BLOCKED {
            return Err(AppError::new(ErrorCode::AccountDisabled, "Account disabled"));
        }
        let scope = if session.scope == sessions::SCOPE_SIGNUP { Scope::Signup } else { Scope::Full };
        let owner = if scope == Scope::Signup {
            None
        } else if owner_id.is_some() {
            self.choose_owner(&mut tx, &user, owner_id).await?
        } else {
            // Keep the session's owner while that membership is still usable.
            let keep = self.choose_owner(&mut tx, &user, session.owner_id).await.ok().flatten();
            match keep {
                Some(o) => Some(o),
                None => self.choose_owner(&mut tx, &user, None).await?,
            }
        };
        let new_owner = owner.map(|o| o.id);
        if new_owner != session.owner_id {
            sessions::set_owner(&mut tx, session.id, new_owner).await?;
        }
        if let Some(o) = owner {
            users::set_last_owner(&mut tx, user.id, o.id).await?;
        }
        let refresh_token = self.new_refresh_token(&mut tx, session.id, session.expires_at).await?;
        tx.commit().await?;
        Ok(TokenPair { token: self.access_token(&user, session.id, scope, owner), refresh_token })
    }

    /// `POST /auth/log-out`.
    pub async fn log_out(&self, actor: &Actor, all_sessions: bool) -> AppResult<()> {
        let mut tx = self.store.begin().await?;
        let now = self.now();
        if all_sessions {
            sessions::close_all_of_user(&mut tx, actor.user_id, None, "log_out_all", now).await?;
        } else {
            sessions::close(&mut tx, actor.session_id, "log_out", now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A request-rate limit of §1.9; off when the instance turns request limits off.
    pub(crate) fn throttle(&self, key: &str, limit: usize, window: std::time::Duration) -> AppResult<()> {
        if !self.config.rate_limits {
            return Ok(());
        }
        self.limiter.hit(key, limit, window).map_err(AppError::rate_limited)
    }
}

fn invalid_token() -> AppError {
    AppError::new(ErrorCode::TokenInvalid, "Access token invalid")
}

impl Services {
    /// The per-user request limit of every route with an access token (§1.9).
    pub fn limit_user(&self, user_id: i64) -> AppResult<()> {
        self.throttle(&format!("user:{user_id}"), 300, crate::ratelimit::MINUTE)
    }
}

impl Services {
    /// A public route's request limit (§1.9), keyed by what the route names (IP, object).
    pub fn limit_public(&self, key: &str, limit: usize, window_seconds: u64) -> AppResult<()> {
        self.throttle(key, limit, std::time::Duration::from_secs(window_seconds))
    }

    /// A public route's "n / min, burst b" limit (§1.9).
    pub fn limit_public_burst(&self, key: &str, per_minute: u32, burst: u32) -> AppResult<()> {
        if !self.config.rate_limits {
            return Ok(());
        }
        self.limiter.take(key, per_minute as f64, burst as f64).map_err(AppError::rate_limited)
    }
}
