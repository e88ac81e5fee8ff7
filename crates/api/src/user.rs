//! `/api/user` (§4.23): the signed-in user, its session card and avatar.

use axum::Json;
use axum::http::StatusCode;
use paygate_app::AvatarOf;
use paygate_app::ProfilePatch;
use paygate_core::validate::Validator;
use paygate_core::{ErrorCode, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ErrorResponse};
use crate::extract::{AnyUser, Body, Caller, Patch, Upload, Validate};
use crate::owner::{AvatarResponse, AvatarUpload};
use crate::state::AppState;
use crate::wire::{no_content, time, time_opt};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_user, update_user))
        .routes(routes!(user_info))
        .routes(routes!(upload_user_avatar))
}

#[derive(Serialize, ToSchema)]
pub struct MembershipResponse {
    /// = `ownerForUserId`.
    id: i64,
    owner_id: i64,
    owner_name: String,
    role_id: i64,
    status_id: i64,
    expires_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct UserResponse {
    id: i64,
    email: String,
    name: String,
    surname: String,
    phone: Option<String>,
    language: String,
    avatar: Option<String>,
    timezone_id: i64,
    tfa_enabled: bool,
    tfa_type_id: i64,
    active_owner_id: Option<i64>,
    memberships: Vec<MembershipResponse>,
    created_at: String,
}

/// The caller with all memberships.
#[utoipa::path(get, path = "/api/user", tag = "Api/User", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = UserResponse)))]
pub async fn get_user(state: AppState, caller: Caller<AnyUser>) -> ApiResult<Json<UserResponse>> {
    let p = state.user_profile(&caller).await?;
    let u = p.user;
    Ok(Json(UserResponse {
        avatar: state.avatar_url(&u.avatar),
        id: u.id,
        email: u.email,
        name: u.name,
        surname: u.surname,
        phone: u.phone,
        language: u.language,
        timezone_id: u.timezone_id,
        tfa_enabled: u.tfa_enabled,
        tfa_type_id: u.tfa_type,
        active_owner_id: p.active_owner_id,
        memberships: p
            .memberships
            .into_iter()
            .map(|m| MembershipResponse {
                id: m.id,
                owner_id: m.owner_id,
                owner_name: m.owner_name,
                role_id: m.role_id,
                status_id: m.status_id,
                expires_at: time_opt(m.expires_at),
            })
            .collect(),
        created_at: time(u.created_at),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct UpdateUserRequest {
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    surname: Patch<String>,
    /// E.164; `null` clears.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    phone: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    language: Patch<String>,
}

impl Validate for UpdateUserRequest {
    fn validate(&self, v: &mut Validator) {
        for (field, p) in [("name", &self.name), ("surname", &self.surname)] {
            if p.is_null() {
                v.fail(ErrorCode::FieldRequired, field);
            }
            if let Some(s) = p.value() {
                v.length(field, s, 1, 100);
            }
        }
        if self.language.is_null() {
            v.fail(ErrorCode::FieldRequired, "language");
        }
        if let Some(l) = self.language.value() {
            v.language("language", l);
        }
        if let Some(p) = self.phone.value() {
            v.phone("phone", p);
        }
    }
}

/// Update the caller's profile (partial).
#[utoipa::path(put, path = "/api/user", tag = "Api/User", request_body = UpdateUserRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 204, description = "Updated")))]
pub async fn update_user(
    state: AppState,
    caller: Caller<AnyUser>,
    Body(b): Body<UpdateUserRequest>,
) -> ApiResult<StatusCode> {
    let patch = ProfilePatch {
        name: b.name.into_update().flatten(),
        surname: b.surname.into_update().flatten(),
        phone: b.phone.into_update(),
        language: b.language.into_update().flatten(),
        timezone_id: None,
    };
    state.update_user(&caller, patch).await?;
    Ok(no_content())
}

#[derive(Serialize, ToSchema)]
pub struct UserInfoResponse {
    user_id: i64,
    email: String,
    name: String,
    surname: String,
    language: String,
    avatar: Option<String>,
    timezone_id: i64,
    owner_id: Option<i64>,
    owner_name: Option<String>,
    role_id: Option<i64>,
    kyc_status: Option<i64>,
    tfa_enabled: bool,
    tfa_type_id: i64,
    operator: bool,
    /// Capabilities of the role (§2.2).
    permissions: Vec<String>,
}

/// Everything a client needs to render its menus.
#[utoipa::path(get, path = "/api/user/info", tag = "Api/User", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = UserInfoResponse)))]
pub async fn user_info(state: AppState, caller: Caller<AnyUser>) -> ApiResult<Json<UserInfoResponse>> {
    let card = state.session_card(&caller).await?;
    let u = card.user;
    let role: Option<Role> = card.owner.as_ref().map(|(_, r)| *r);
    Ok(Json(UserInfoResponse {
        avatar: state.avatar_url(&u.avatar),
        user_id: u.id,
        email: u.email,
        name: u.name,
        surname: u.surname,
        language: u.language,
        timezone_id: u.timezone_id,
        owner_id: card.owner.as_ref().map(|(o, _)| o.id),
        owner_name: card.owner.as_ref().map(|(o, _)| o.name.clone()),
        role_id: role.map(|r| r.id() as i64),
        kyc_status: card.owner.as_ref().map(|(o, _)| o.kyc_status),
        tfa_enabled: u.tfa_enabled,
        tfa_type_id: u.tfa_type,
        operator: card.operator,
        permissions: role.map(|r| r.permissions().iter().map(|p| p.as_str().to_owned()).collect()).unwrap_or_default(),
    }))
}

/// Replace the caller's avatar.
#[utoipa::path(post, path = "/api/user/info/avatar", tag = "Api/User", security(("jwt" = [])),
    request_body(content = AvatarUpload, content_type = "multipart/form-data"),
    extensions(("x-origin" = json!("designed"))),
    responses((status = 200, body = AvatarResponse), (status = 400, response = ErrorResponse), (status = 413, response = ErrorResponse), (status = 415, response = ErrorResponse)))]
pub async fn upload_user_avatar(
    state: AppState,
    caller: Caller<AnyUser>,
    upload: Upload,
) -> ApiResult<Json<AvatarResponse>> {
    let name = state.set_avatar(&caller, AvatarOf::User, upload.bytes).await?;
    Ok(Json(AvatarResponse { avatar: state.avatar_url(&Some(name)).unwrap_or_default() }))
}
