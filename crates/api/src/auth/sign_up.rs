//! Sign-up: `email/get-code` → `email/check-code` → `pss/set` → `user/update` → `owner/update`
//! → `check` → `POST /auth/sign-up`.

use axum::Json;
use axum::http::StatusCode;
use paygate_app::{OwnerStep, UserStep};
use paygate_core::validate::Validator;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiResult, ErrorResponse};
use crate::extract::{Body, Caller, Client, SignupOnly, Validate};
use crate::owner::validate_owner_fields;
use crate::state::AppState;
use crate::wire::{TokenPairResponse, no_content};

#[derive(Deserialize, ToSchema)]
pub struct GetCodeRequest {
    email: Option<String>,
    /// ISO 639-1; default `en`.
    language: Option<String>,
    /// 8 characters `[A-Z0-9]`.
    referral_code: Option<String>,
}

impl Validate for GetCodeRequest {
    fn validate(&self, v: &mut Validator) {
        if let Some(e) = v.required("email", &self.email) {
            v.email("email", e);
        }
        if let Some(l) = &self.language {
            v.language("language", l);
        }
        if let Some(r) = &self.referral_code {
            let ok = r.len() == 8 && r.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
            v.check(ok, paygate_core::ErrorCode::FieldFormat, "referral_code");
        }
    }
}

/// E-mail a sign-up code.
#[utoipa::path(post, path = "/auth/sign-up/email/get-code", tag = "Auth", request_body = GetCodeRequest,
    extensions(("x-origin" = json!("designed"))), responses((status = 204, description = "Sent"), (status = 404, response = ErrorResponse)))]
pub async fn send_code(
    state: AppState,
    Client(client): Client,
    Body(b): Body<GetCodeRequest>,
) -> ApiResult<StatusCode> {
    state
        .signup_send_code(&b.email.unwrap_or_default(), b.language.as_deref(), b.referral_code.as_deref(), &client)
        .await?;
    Ok(no_content())
}

#[derive(Deserialize, ToSchema)]
pub struct CheckCodeRequest {
    email: Option<String>,
    /// The e-mailed 6-digit code (or an invitation code).
    code: Option<String>,
}

impl Validate for CheckCodeRequest {
    fn validate(&self, v: &mut Validator) {
        if let Some(e) = v.required("email", &self.email) {
            v.email("email", e);
        }
        v.required_str("code", &self.code, 4, 64);
    }
}

/// Prove the e-mail address; returns a sign-up token pair (24 h).
#[utoipa::path(post, path = "/auth/sign-up/email/check-code", tag = "Auth", request_body = CheckCodeRequest,
    extensions(("x-origin" = json!("designed"))),
    responses((status = 200, body = TokenPairResponse), (status = 400, response = ErrorResponse), (status = 404, response = ErrorResponse), (status = 409, response = ErrorResponse)))]
pub async fn check_code(
    state: AppState,
    Client(client): Client,
    Body(b): Body<CheckCodeRequest>,
) -> ApiResult<Json<TokenPairResponse>> {
    let pair = state.signup_check_code(&b.email.unwrap_or_default(), &b.code.unwrap_or_default(), &client).await?;
    Ok(Json(pair.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordRequest {
    pub password: Option<String>,
}

impl Validate for PasswordRequest {
    fn validate(&self, v: &mut Validator) {
        v.required_str("password", &self.password, 1, 1024);
    }
}

/// Set the password of the registration.
#[utoipa::path(post, path = "/auth/sign-up/pss/set", tag = "Auth", request_body = PasswordRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 204, description = "Set"), (status = 400, response = ErrorResponse)))]
pub async fn set_password(
    state: AppState,
    caller: Caller<SignupOnly>,
    Body(b): Body<PasswordRequest>,
) -> ApiResult<StatusCode> {
    state.signup_set_password(&caller, &b.password.unwrap_or_default()).await?;
    Ok(no_content())
}

#[derive(Deserialize, ToSchema)]
pub struct UserStepRequest {
    name: Option<String>,
    surname: Option<String>,
    phone: Option<String>,
    language: Option<String>,
    timezone_id: Option<i64>,
}

impl Validate for UserStepRequest {
    fn validate(&self, v: &mut Validator) {
        v.required_str("name", &self.name, 1, 100);
        v.required_str("surname", &self.surname, 1, 100);
        if let Some(p) = &self.phone {
            v.phone("phone", p);
        }
        if let Some(l) = &self.language {
            v.language("language", l);
        }
    }
}

/// Store the user's name, phone, language and time zone.
#[utoipa::path(put, path = "/auth/sign-up/user/update", tag = "Auth", request_body = UserStepRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 204, description = "Stored")))]
pub async fn update_user(
    state: AppState,
    caller: Caller<SignupOnly>,
    Body(b): Body<UserStepRequest>,
) -> ApiResult<StatusCode> {
    let step = UserStep {
        name: b.name.unwrap_or_default(),
        surname: b.surname.unwrap_or_default(),
        phone: b.phone,
        language: b.language,
        timezone_id: b.timezone_id,
    };
    state.signup_update_user(&caller, step).await?;
    Ok(no_content())
}

#[derive(Deserialize, ToSchema)]
pub struct OwnerStepRequest {
    owner_type: Option<i64>,
    owner_sub_type: Option<i64>,
    name: Option<String>,
    country_id: Option<i64>,
    registration_number: Option<String>,
    site_url: Option<String>,
    address: Option<String>,
    phone: Option<String>,
}

impl Validate for OwnerStepRequest {
    fn validate(&self, v: &mut Validator) {
        let owner_type = v.required("owner_type", &self.owner_type).copied();
        let sub_type = v.required("owner_sub_type", &self.owner_sub_type).copied();
        v.required_str("name", &self.name, 2, 200);
        v.required("country_id", &self.country_id);
        if owner_type == Some(paygate_core::dict::OWNER_TYPE_COMPANY as i64) && self.registration_number.is_none() {
            v.fail(paygate_core::ErrorCode::FieldRequired, "registration_number");
        }
        validate_owner_fields(
            v,
            owner_type,
            sub_type,
            self.country_id,
            self.registration_number.as_deref(),
            self.site_url.as_deref(),
            self.address.as_deref(),
            self.phone.as_deref(),
        );
    }
}

/// Store (replace) the owner data of the registration.
#[utoipa::path(put, path = "/auth/sign-up/owner/update", tag = "Auth", request_body = OwnerStepRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 204, description = "Stored"), (status = 409, response = ErrorResponse)))]
pub async fn update_owner(
    state: AppState,
    caller: Caller<SignupOnly>,
    Body(b): Body<OwnerStepRequest>,
) -> ApiResult<StatusCode> {
    let step = OwnerStep {
        owner_type: b.owner_type.unwrap_or_default(),
        owner_sub_type: b.owner_sub_type.unwrap_or_default(),
        name: b.name.unwrap_or_default(),
        country_id: b.country_id.unwrap_or_default(),
        registration_number: b.registration_number,
        vat_number: None,
        site_url: b.site_url,
        address: b.address,
        phone: b.phone,
        email: None,
    };
    state.signup_update_owner(&caller, step).await?;
    Ok(no_content())
}

#[derive(Deserialize, ToSchema)]
pub struct Empty {}
impl Validate for Empty {}

#[derive(Serialize, ToSchema)]
pub struct SignupStateResponse {
    email: String,
    password_set: bool,
    user_filled: bool,
    owner_filled: bool,
    invited_owner_id: Option<i64>,
    /// `POST /auth/sign-up` would succeed.
    ready: bool,
}

/// What the registration still lacks.
#[utoipa::path(post, path = "/auth/sign-up/check", tag = "Auth", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = SignupStateResponse)))]
pub async fn check(
    state: AppState,
    caller: Caller<SignupOnly>,
    Body(_): Body<Empty>,
) -> ApiResult<Json<SignupStateResponse>> {
    let s = state.signup_state(&caller).await?;
    Ok(Json(SignupStateResponse {
        email: s.email,
        password_set: s.password_set,
        user_filled: s.user_filled,
        owner_filled: s.owner_filled,
        invited_owner_id: s.invited_owner_id,
        ready: s.ready,
    }))
}

/// Finish the registration; returns a full token pair.
#[utoipa::path(post, path = "/auth/sign-up", tag = "Auth", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = TokenPairResponse), (status = 422, response = ErrorResponse)))]
pub async fn complete(
    state: AppState,
    caller: Caller<SignupOnly>,
    Client(client): Client,
    Body(_): Body<Empty>,
) -> ApiResult<Json<TokenPairResponse>> {
    Ok(Json(state.signup_complete(&caller, &client).await?.into()))
}
