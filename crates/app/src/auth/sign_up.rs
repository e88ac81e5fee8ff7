//! Registration: e-mail proof → password → user data → owner data → `POST /auth/sign-up`.

use paygate_core::validate::{normalize_email, password_acceptable};
use paygate_core::{AppError, AppResult, ErrorCode, ErrorItem, Role};
use paygate_store::owners::{self, OwnerData};
use paygate_store::users::{self, NewUser, ProfilePatch, User};
use paygate_store::{Tx, memberships, sessions, signups};

use super::TokenPair;
use crate::actor::{ActiveOwner, Actor, ClientInfo, Scope};
use crate::codes::{CODE_TTL, Purpose};
use crate::mail::Message;
use crate::{Services, crypto};

const REFERRAL_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// `PUT /auth/sign-up/user/update`.
#[derive(Debug, Clone, Default)]
pub struct UserStep {
    pub name: String,
    pub surname: String,
    pub phone: Option<String>,
    pub language: Option<String>,
    pub timezone_id: Option<i64>,
}

/// `PUT /auth/sign-up/owner/update` (validated by the caller).
pub type OwnerStep = OwnerData;

/// `POST /auth/sign-up/check`.
#[derive(Debug, Clone)]
pub struct SignupState {
    pub email: String,
    pub password_set: bool,
    pub user_filled: bool,
    pub owner_filled: bool,
    pub invited_owner_id: Option<i64>,
    pub ready: bool,
}

#[derive(serde::Serialize, serde::Deserialize, Default)]
struct CodePayload {
    language: Option<String>,
    referral_code: Option<String>,
}

impl Services {
    /// `POST /auth/sign-up/email/get-code`.
    pub async fn signup_send_code(
        &self,
        email: &str,
        language: Option<&str>,
        referral_code: Option<&str>,
        client: &ClientInfo,
    ) -> AppResult<()> {
        let email = normalize_email(email);
        let mut tx = self.store.begin().await?;
        if let Some(code) = referral_code
            && owners::by_referral_code(&mut tx, code).await?.is_none()
        {
            return Err(AppError::field(ErrorCode::NotFound, "referral_code", "Unknown referral code"));
        }
        self.mail_rate(&email, client)?;
        let lang = language.unwrap_or("en");
        match users::by_email(&mut tx, &email).await? {
            Some(u) if u.status != users::STATUS_REGISTERING => {
                // Never reveal registration in the answer: tell the owner of the address instead.
                self.queue_mail(&mut tx, &email, &u.language, Message::AlreadyRegistered).await?;
            }
            _ => {
                let payload = CodePayload {
                    language: language.map(str::to_owned),
                    referral_code: referral_code.map(str::to_owned),
                };
                let payload = serde_json::to_string(&payload).map_err(AppError::internal)?;
                let code = self.issue_code(&mut tx, Purpose::Signup, &email, Some(&payload), CODE_TTL).await?;
                self.queue_mail(&mut tx, &email, lang, Message::SignupCode { code }).await?;
            }
        }
        tx.commit().await?;
        self.mail_queued();
        Ok(())
    }

    /// `POST /auth/sign-up/email/check-code`: proves the address and opens a sign-up session.
    pub async fn signup_check_code(&self, email: &str, code: &str, client: &ClientInfo) -> AppResult<TokenPair> {
        let email = normalize_email(email);
        let tx = self.store.begin().await?;
        let (mut tx, payload) = self.check_code(tx, Purpose::Signup, &email, code, "code").await?;
        let payload: CodePayload = payload.and_then(|p| serde_json::from_str(&p).ok()).unwrap_or_default();
        let now = self.now();
        let user = match users::by_email(&mut tx, &email).await? {
            Some(u) if u.status != users::STATUS_REGISTERING => {
                return Err(AppError::field(
                    ErrorCode::AlreadyExists,
                    "email",
                    "This address belongs to an account: sign in",
                ));
            }
            Some(u) => u,
            None => {
                let utc = paygate_store::timezones::by_name(&mut tx, "UTC").await?.map(|t| t.id).unwrap_or(1);
                let id = users::insert(
                    &mut tx,
                    NewUser {
                        email: &email,
                        status: users::STATUS_REGISTERING,
                        is_operator: false,
                        password_hash: None,
                        language: payload.language.as_deref().unwrap_or("en"),
                        timezone_id: utc,
                        now,
                    },
                )
                .await
                .map_err(|e| {
                    if e.is_conflict_on("users_email_key") {
                        AppError::new(ErrorCode::Conflict, "Retry the call")
                    } else {
                        e.into()
                    }
                })?;
                users::by_id(&mut tx, id).await?.ok_or_else(|| AppError::internal("user vanished"))?
            }
        };
        signups::upsert(&mut tx, user.id, payload.referral_code.as_deref(), None, now).await?;
        let pair = self.open_session(&mut tx, &user, Scope::Signup, None, client).await?;
        tx.commit().await?;
        Ok(pair)
    }

    /// `POST /auth/sign-up/pss/set`.
    pub async fn signup_set_password(&self, actor: &Actor, password: &str) -> AppResult<()> {
        let (mut tx, user, _) = self.registration(actor).await?;
        if !password_acceptable(password, &user.email) {
            return Err(weak_password("password"));
        }
        let hash = crypto::hash_password(password).await?;
        users::set_password(&mut tx, user.id, &hash).await?;
        tx.commit().await?;
        Ok(())
    }

    /// `PUT /auth/sign-up/user/update`.
    pub async fn signup_update_user(&self, actor: &Actor, step: UserStep) -> AppResult<()> {
        let (mut tx, user, _) = self.registration(actor).await?;
        if let Some(tz) = step.timezone_id {
            self.require_timezone(&mut tx, tz).await?;
        }
        let patch = ProfilePatch {
            name: Some(step.name),
            surname: Some(step.surname),
            phone: Some(step.phone),
            language: step.language,
            timezone_id: step.timezone_id,
        };
        users::update_profile(&mut tx, user.id, patch).await?;
        signups::set_user_filled(&mut tx, user.id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// `PUT /auth/sign-up/owner/update`.
    pub async fn signup_update_owner(&self, actor: &Actor, data: OwnerStep) -> AppResult<()> {
        let (mut tx, user, signup) = self.registration(actor).await?;
        if signup.invited_membership_id.is_some() {
            return Err(AppError::new(ErrorCode::InvalidState, "Registration through an invitation has no owner step"));
        }
        let draft = serde_json::to_string(&data).map_err(AppError::internal)?;
        signups::set_owner_draft(&mut tx, user.id, &draft).await?;
        tx.commit().await?;
        Ok(())
    }

    /// `POST /auth/sign-up/check`.
    pub async fn signup_state(&self, actor: &Actor) -> AppResult<SignupState> {
        let (_, user, signup) = self.registration(actor).await?;
        Ok(state_of(&user, &signup))
    }

    /// `POST /auth/sign-up`: finishes the registration and opens a full session.
    pub async fn signup_complete(&self, actor: &Actor, client: &ClientInfo) -> AppResult<TokenPair> {
        let (mut tx, user, signup) = self.registration(actor).await?;
        let state = state_of(&user, &signup);
        let missing: Vec<ErrorItem> =
            [("password", state.password_set), ("user", state.user_filled), ("owner", state.owner_filled)]
                .into_iter()
                .filter(|(field, done)| !(*done || *field == "owner" && state.invited_owner_id.is_some()))
                .map(|(field, _)| ErrorItem { code: ErrorCode::SignupIncomplete, field: Some(field.to_owned()) })
                .collect();
        if !missing.is_empty() {
            return Err(AppError {
                message: "Sign-up steps missing".into(),
                errors: missing,
                retry_after: None,
                internal: None,
            });
        }
        let now = self.now();
        let draft: OwnerData = signup
            .owner_draft
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(AppError::internal)?
            .ok_or_else(|| AppError::internal("owner draft missing"))?;
        let referrer = match &signup.referral_code {
            Some(code) => owners::by_referral_code(&mut tx, code).await?.map(|o| o.id),
            None => None,
        };
        let owner_id = self.insert_owner(&mut tx, &draft, referrer, now).await?;
        memberships::insert(&mut tx, user.id, owner_id, Role::Owner.id() as i64, memberships::STATUS_ACTIVE, now)
            .await?;
        users::set_status(&mut tx, user.id, users::STATUS_ACTIVE).await?;
        users::set_last_owner(&mut tx, user.id, owner_id).await?;
        signups::delete(&mut tx, user.id).await?;
        sessions::close(&mut tx, actor.session_id, "sign_up_complete", now).await?;
        let owner = Some(ActiveOwner { id: owner_id, role: Role::Owner });
        let pair = self.open_session(&mut tx, &user, Scope::Full, owner, client).await?;
        tx.commit().await?;
        Ok(pair)
    }

    /// A new owner with a fresh referral code (retried on the rare collision).
    async fn insert_owner(&self, tx: &mut Tx, data: &OwnerData, referrer: Option<i64>, now: i64) -> AppResult<i64> {
        for _ in 0..8 {
            let code = crypto::random_code(8, REFERRAL_ALPHABET);
            if owners::by_referral_code(tx, &code).await?.is_some() {
                continue;
            }
            return Ok(owners::insert(tx, data, &code, referrer, self.config.default_plan_id, now).await?);
        }
        Err(AppError::internal("no free referral code after 8 tries"))
    }

    /// The registration behind a sign-up token, in a fresh unit of work.
    async fn registration(&self, actor: &Actor) -> AppResult<(Tx, User, signups::Signup)> {
        let mut tx = self.store.begin().await?;
        let user = users::by_id(&mut tx, actor.user_id)
            .await?
            .ok_or_else(|| AppError::new(ErrorCode::TokenInvalid, "Unknown user"))?;
        let signup = signups::get(&mut tx, user.id).await?;
        match signup {
            Some(s) if user.status == users::STATUS_REGISTERING => Ok((tx, user, s)),
            _ => Err(AppError::new(ErrorCode::InvalidState, "Registration already finished")),
        }
    }
}

fn state_of(user: &User, signup: &signups::Signup) -> SignupState {
    let password_set = user.password_hash.is_some();
    let owner_filled = signup.owner_draft.is_some();
    // Registrations through an invitation name the inviting owner; invitations come with team
    // management, until then every registration creates its own owner.
    let invited_owner_id: Option<i64> = None;
    let ready = password_set && signup.user_filled && (owner_filled || invited_owner_id.is_some());
    SignupState {
        email: user.email.clone(),
        password_set,
        user_filled: signup.user_filled,
        owner_filled,
        invited_owner_id,
        ready,
    }
}

pub(crate) fn weak_password(field: &str) -> AppError {
    AppError::field(
        ErrorCode::PasswordWeak,
        field,
        "Password must be 10–128 characters and must not contain your e-mail name",
    )
}
