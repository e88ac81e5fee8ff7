//! The user's own account and the active owner's profile (§4.15, §4.23), and operator accounts.

use paygate_core::validate::normalize_email;
use paygate_core::{AppError, AppResult, ErrorCode, Role, dict};
use paygate_store::memberships::{self, Membership};
use paygate_store::owners::{self, Owner};
use paygate_store::users::{self, NewUser, ProfilePatch, User};
use paygate_store::{Tx, sessions};

use crate::actor::Actor;
use crate::tfa::{TFA_TOTP, TotpEnrolment};
use crate::{Services, crypto};

/// Products every plan of this release includes (1 wallet, 2 pay link, 3 pay form, 4 m-pos).
pub const ALL_PRODUCTS: [i64; 4] = [1, 2, 3, 4];

/// A user with the memberships a client shows.
#[derive(Debug, Clone)]
pub struct UserProfile {
    pub user: User,
    pub memberships: Vec<Membership>,
    pub active_owner_id: Option<i64>,
}

/// `GET /api/user/info`.
#[derive(Debug, Clone)]
pub struct SessionCard {
    pub user: User,
    pub owner: Option<(Owner, Role)>,
    pub operator: bool,
}

/// `PUT /api/owner` (already validated field by field); `Some(None)` clears a nullable field.
#[derive(Debug, Clone, Default)]
pub struct OwnerPatch {
    pub owner_type: Option<i64>,
    pub owner_sub_type: Option<i64>,
    pub name: Option<String>,
    pub registration_number: Option<Option<String>>,
    pub country_id: Option<i64>,
    pub vat_number: Option<Option<String>>,
    pub address: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub site_url: Option<Option<String>>,
    pub invoice_expiry_minutes: Option<i64>,
    pub underpayment_tolerance_bp: Option<i64>,
    pub show_network_fee: Option<bool>,
}

impl OwnerPatch {
    fn touches_legal_fields(&self) -> bool {
        self.owner_type.is_some()
            || self.owner_sub_type.is_some()
            || self.name.is_some()
            || self.registration_number.is_some()
            || self.country_id.is_some()
    }
}

impl Services {
    pub async fn user_profile(&self, actor: &Actor) -> AppResult<UserProfile> {
        let mut c = self.store.conn().await?;
        let user = users::by_id(&mut c, actor.user_id).await?.ok_or_else(|| AppError::not_found("User"))?;
        let memberships = memberships::of_user(&mut c, user.id).await?;
        Ok(UserProfile { user, memberships, active_owner_id: actor.owner.map(|o| o.id) })
    }

    /// `PUT /api/user`.
    pub async fn update_user(&self, actor: &Actor, patch: ProfilePatch) -> AppResult<()> {
        let mut tx = self.store.begin().await?;
        users::update_profile(&mut tx, actor.user_id, patch).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn session_card(&self, actor: &Actor) -> AppResult<SessionCard> {
        let mut c = self.store.conn().await?;
        let user = users::by_id(&mut c, actor.user_id).await?.ok_or_else(|| AppError::not_found("User"))?;
        let owner = match actor.owner {
            Some(o) => owners::by_id(&mut c, o.id).await?.map(|owner| (owner, o.role)),
            None => None,
        };
        Ok(SessionCard { user, owner, operator: actor.operator })
    }

    /// The caller's active owner. The id comes from the authenticated session, so another
    /// merchant's owner is unreachable by construction.
    pub async fn active_owner(&self, actor: &Actor) -> AppResult<Owner> {
        let id = actor.owner.ok_or_else(|| AppError::new(ErrorCode::NoActiveOwner, "No active owner"))?.id;
        let mut c = self.store.conn().await?;
        owners::by_id(&mut c, id).await?.ok_or_else(|| AppError::not_found("Owner"))
    }

    /// `PUT /api/owner`: merges a partial update; legal data is locked while KYC is under
    /// review or approved.
    pub async fn update_owner(&self, actor: &Actor, patch: OwnerPatch) -> AppResult<()> {
        let id = actor.owner.ok_or_else(|| AppError::new(ErrorCode::NoActiveOwner, "No active owner"))?.id;
        let mut tx = self.store.begin().await?;
        let mut o = owners::by_id(&mut tx, id).await?.ok_or_else(|| AppError::not_found("Owner"))?;
        if patch.touches_legal_fields() && matches!(o.kyc_status, 1 | 2) {
            return Err(AppError::new(ErrorCode::Locked, "Legal data is locked while KYC is under review or approved"));
        }
        if let Some(v) = patch.owner_type {
            o.owner_type = v;
        }
        if let Some(v) = patch.owner_sub_type {
            o.owner_sub_type = v;
        }
        if dict::sub_type_owner_type(o.owner_sub_type) != Some(o.owner_type as i32) {
            return Err(AppError::field(
                ErrorCode::FieldRange,
                "owner_sub_type",
                "Sub-type does not belong to the owner type",
            ));
        }
        macro_rules! apply {
            ($($f:ident),*) => { $( if let Some(v) = patch.$f { o.$f = v; } )* };
        }
        apply!(
            name,
            registration_number,
            country_id,
            vat_number,
            address,
            phone,
            email,
            site_url,
            invoice_expiry_minutes,
            underpayment_tolerance_bp,
            show_network_fee
        );
        owners::update(&mut tx, &o).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates an operator with an enrolled authenticator, or re-enrols an existing operator
    /// (new password and seed, every session closed). Used by `paygate admin create-operator`.
    pub async fn create_operator(&self, email: &str, password: &str) -> AppResult<TotpEnrolment> {
        let email = normalize_email(email);
        if !paygate_core::validate::is_email(&email) {
            return Err(AppError::field(ErrorCode::FieldFormat, "email", "Not an e-mail address"));
        }
        if !paygate_core::validate::password_acceptable(password, &email) {
            return Err(crate::auth::weak_password("password"));
        }
        let hash = crypto::hash_password(password).await?;
        let seed = crypto::random_bytes(20);
        let sealed = self.seal(&seed);
        let mut tx = self.store.begin().await?;
        let id = match users::by_email(&mut tx, &email).await? {
            Some(u) if u.is_operator => {
                sessions::close_all_of_user(&mut tx, u.id, None, "operator_reenrolled", self.now()).await?;
                users::set_password(&mut tx, u.id, &hash).await?;
                u.id
            }
            Some(_) => {
                return Err(AppError::field(ErrorCode::AlreadyExists, "email", "A merchant user has this e-mail"));
            }
            None => {
                let tz = self.utc_timezone(&mut tx).await?;
                users::insert(
                    &mut tx,
                    NewUser {
                        email: &email,
                        status: users::STATUS_ACTIVE,
                        is_operator: true,
                        password_hash: Some(&hash),
                        language: "en",
                        timezone_id: tz,
                        now: self.now(),
                    },
                )
                .await?
            }
        };
        users::set_tfa(&mut tx, id, true, TFA_TOTP, Some(&sealed), None).await?;
        tx.commit().await?;
        self.enrolment(&email, &seed)
    }

    pub(crate) async fn utc_timezone(&self, tx: &mut Tx) -> AppResult<i64> {
        Ok(paygate_store::timezones::by_name(tx, "UTC").await?.map(|t| t.id).unwrap_or(1))
    }
}
