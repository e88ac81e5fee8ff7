//! `/api/owner*` (§4.15): the active owner's profile, info card, avatar and type dictionaries.

use axum::Json;
use axum::http::StatusCode;
use axum::response::Response;
use paygate_app::{ALL_PRODUCTS, AvatarOf, OwnerPatch};
use paygate_core::validate::Validator;
use paygate_core::{ErrorCode, dict};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ErrorResponse};
use crate::extract::{AllRoles, AnyUserOrSignup, Body, Caller, Managers, Patch, QueryParams, Staff, Upload, Validate};
use crate::state::AppState;
use crate::wire::{DictItem, dict_items, dictionary, no_content, time};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_owner, update_owner))
        .routes(routes!(owner_info))
        .routes(routes!(upload_owner_avatar))
        .routes(routes!(owner_types))
        .routes(routes!(owner_sub_types))
        .routes(routes!(owner_tokens))
}

/// Tokens the owner can accept; what an empty `token_ids` on a pay object means.
#[utoipa::path(get, path = "/api/owner/currency/tokens", tag = "Api/Owner", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = [crate::currency::TokenResponse])))]
pub async fn owner_tokens(
    state: AppState,
    caller: Caller<Staff>,
) -> ApiResult<Json<Vec<crate::currency::TokenResponse>>> {
    Ok(Json(state.owner_tokens(&caller).await?.into_iter().map(Into::into).collect()))
}

/// Checks shared by the sign-up owner step and `PUT /api/owner`.
#[allow(clippy::too_many_arguments)]
pub fn validate_owner_fields(
    v: &mut Validator,
    owner_type: Option<i64>,
    sub_type: Option<i64>,
    country_id: Option<i64>,
    registration_number: Option<&str>,
    site_url: Option<&str>,
    address: Option<&str>,
    phone: Option<&str>,
) {
    if let Some(t) = owner_type {
        v.check(dict::owner_type_exists(t), ErrorCode::FieldRange, "owner_type");
    }
    if let Some(s) = sub_type {
        match dict::sub_type_owner_type(s) {
            None => v.fail(ErrorCode::FieldRange, "owner_sub_type"),
            Some(t) if owner_type.is_some_and(|ot| ot != t as i64) => v.fail(ErrorCode::FieldRange, "owner_sub_type"),
            _ => {}
        }
    }
    if let Some(c) = country_id {
        v.check(dict::country(c).is_some(), ErrorCode::FieldRange, "country_id");
    }
    if let Some(r) = registration_number {
        v.length("registration_number", r, 1, 50);
    }
    if let Some(u) = site_url {
        v.http_url("site_url", u, 300);
    }
    if let Some(a) = address {
        v.length("address", a, 1, 300);
    }
    if let Some(p) = phone {
        v.phone("phone", p);
    }
}

#[derive(Serialize, ToSchema)]
pub struct OwnerResponse {
    id: i64,
    owner_type: i64,
    owner_sub_type: i64,
    name: String,
    registration_number: Option<String>,
    vat_number: Option<String>,
    country_id: i64,
    address: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    site_url: Option<String>,
    avatar: Option<String>,
    kyc_status: i64,
    identification_status: i64,
    referral_code: String,
    referrer_owner_id: Option<i64>,
    plan_id: i64,
    invoice_expiry_minutes: i64,
    #[schema(value_type = f64)]
    underpayment_tolerance_percent: serde_json::Number,
    show_network_fee: bool,
    created_at: String,
}

/// Hundredths of a percent as an exact JSON number (`250` → `2.5`).
fn percent(bp: i64) -> serde_json::Number {
    let s = if bp % 100 == 0 {
        (bp / 100).to_string()
    } else {
        format!("{}.{:02}", bp / 100, bp % 100).trim_end_matches('0').to_owned()
    };
    s.parse().expect("a plain decimal is a JSON number")
}

/// The active owner.
#[utoipa::path(get, path = "/api/owner", tag = "Api/Owner", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = OwnerResponse)))]
pub async fn get_owner(state: AppState, caller: Caller<Staff>) -> ApiResult<Json<OwnerResponse>> {
    let o = state.active_owner(&caller).await?;
    Ok(Json(OwnerResponse {
        avatar: state.avatar_url(&o.avatar),
        id: o.id,
        owner_type: o.owner_type,
        owner_sub_type: o.owner_sub_type,
        name: o.name,
        registration_number: o.registration_number,
        vat_number: o.vat_number,
        country_id: o.country_id,
        address: o.address,
        phone: o.phone,
        email: o.email,
        site_url: o.site_url,
        kyc_status: o.kyc_status,
        identification_status: o.identification_status,
        referral_code: o.referral_code,
        referrer_owner_id: o.referrer_owner_id,
        plan_id: o.plan_id,
        invoice_expiry_minutes: o.invoice_expiry_minutes,
        underpayment_tolerance_percent: percent(o.underpayment_tolerance_bp),
        show_network_fee: o.show_network_fee,
        created_at: time(o.created_at),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct UpdateOwnerRequest {
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    owner_type: Patch<i64>,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    owner_sub_type: Patch<i64>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    registration_number: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    country_id: Patch<i64>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    vat_number: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    address: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    phone: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    email: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    site_url: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    invoice_expiry_minutes: Patch<i64>,
    /// 0–10 with at most 2 decimals.
    #[serde(default)]
    #[schema(value_type = Option<f64>)]
    underpayment_tolerance_percent: Patch<serde_json::Number>,
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    show_network_fee: Patch<bool>,
}

/// Hundredths of a percent from an exact decimal of at most 2 places.
fn basis_points(n: &serde_json::Number) -> Option<i64> {
    let s = n.to_string();
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    if frac.len() > 2 || int.starts_with('-') || s.contains(['e', 'E']) {
        return None;
    }
    let int: i64 = int.parse().ok()?;
    let frac: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().ok()? };
    int.checked_mul(100)?.checked_add(frac)
}

impl Validate for UpdateOwnerRequest {
    fn validate(&self, v: &mut Validator) {
        for (field, null) in [
            ("owner_type", self.owner_type.is_null()),
            ("owner_sub_type", self.owner_sub_type.is_null()),
            ("name", self.name.is_null()),
            ("country_id", self.country_id.is_null()),
            ("invoice_expiry_minutes", self.invoice_expiry_minutes.is_null()),
            ("underpayment_tolerance_percent", self.underpayment_tolerance_percent.is_null()),
            ("show_network_fee", self.show_network_fee.is_null()),
        ] {
            if null {
                v.fail(ErrorCode::FieldRequired, field);
            }
        }
        if let Some(n) = self.name.value() {
            v.length("name", n, 2, 200);
        }
        validate_owner_fields(
            v,
            self.owner_type.value().copied(),
            self.owner_sub_type.value().copied(),
            self.country_id.value().copied(),
            self.registration_number.value().map(String::as_str),
            self.site_url.value().map(String::as_str),
            self.address.value().map(String::as_str),
            self.phone.value().map(String::as_str),
        );
        if let Some(n) = self.vat_number.value() {
            v.length("vat_number", n, 1, 30);
        }
        if let Some(e) = self.email.value() {
            v.email("email", e);
        }
        if let Some(m) = self.invoice_expiry_minutes.value() {
            v.range("invoice_expiry_minutes", *m, 5, 1440);
        }
        if let Some(p) = self.underpayment_tolerance_percent.value() {
            v.check(
                basis_points(p).is_some_and(|bp| (0..=1000).contains(&bp)),
                ErrorCode::FieldRange,
                "underpayment_tolerance_percent",
            );
        }
    }
}

/// Update the active owner (partial).
#[utoipa::path(put, path = "/api/owner", tag = "Api/Owner", request_body = UpdateOwnerRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 204, description = "Updated"), (status = 409, response = ErrorResponse)))]
pub async fn update_owner(
    state: AppState,
    caller: Caller<Managers>,
    Body(b): Body<UpdateOwnerRequest>,
) -> ApiResult<StatusCode> {
    let patch = OwnerPatch {
        owner_type: b.owner_type.into_update().flatten(),
        owner_sub_type: b.owner_sub_type.into_update().flatten(),
        name: b.name.into_update().flatten(),
        registration_number: b.registration_number.into_update(),
        country_id: b.country_id.into_update().flatten(),
        vat_number: b.vat_number.into_update(),
        address: b.address.into_update(),
        phone: b.phone.into_update(),
        email: b.email.into_update(),
        site_url: b.site_url.into_update(),
        invoice_expiry_minutes: b.invoice_expiry_minutes.into_update().flatten(),
        underpayment_tolerance_bp: b
            .underpayment_tolerance_percent
            .into_update()
            .flatten()
            .as_ref()
            .and_then(basis_points),
        show_network_fee: b.show_network_fee.into_update().flatten(),
    };
    state.update_owner(&caller, patch).await?;
    Ok(no_content())
}

#[derive(Serialize, ToSchema)]
pub struct OwnerInfoResponse {
    id: i64,
    name: String,
    avatar: Option<String>,
    site_url: Option<String>,
    country_id: i64,
    owner_type: i64,
    owner_sub_type: i64,
    kyc_status: i64,
    plan_id: i64,
    /// Enabled products.
    products: Vec<i64>,
    referral_code: String,
    created_at: String,
}

/// The active owner's info card.
#[utoipa::path(get, path = "/api/owner/info", tag = "Api/Owner", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = OwnerInfoResponse)))]
pub async fn owner_info(state: AppState, caller: Caller<AllRoles>) -> ApiResult<Json<OwnerInfoResponse>> {
    let o = state.active_owner(&caller).await?;
    Ok(Json(OwnerInfoResponse {
        avatar: state.avatar_url(&o.avatar),
        id: o.id,
        name: o.name,
        site_url: o.site_url,
        country_id: o.country_id,
        owner_type: o.owner_type,
        owner_sub_type: o.owner_sub_type,
        kyc_status: o.kyc_status,
        plan_id: o.plan_id,
        products: ALL_PRODUCTS.to_vec(),
        referral_code: o.referral_code,
        created_at: time(o.created_at),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct AvatarResponse {
    /// URL under `/media/avatar/`.
    pub avatar: String,
}

/// Multipart form with one `file` (PNG or JPEG, ≤ 2 MB, ≤ 4096 × 4096).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AvatarUpload {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Replace the owner's avatar.
#[utoipa::path(post, path = "/api/owner/info/avatar", tag = "Api/Owner", security(("jwt" = [])),
    request_body(content = AvatarUpload, content_type = "multipart/form-data"),
    extensions(("x-origin" = json!("designed"))),
    responses((status = 200, body = AvatarResponse), (status = 400, response = ErrorResponse), (status = 413, response = ErrorResponse), (status = 415, response = ErrorResponse)))]
pub async fn upload_owner_avatar(
    state: AppState,
    caller: Caller<Managers>,
    upload: Upload,
) -> ApiResult<Json<AvatarResponse>> {
    let name = state.set_avatar(&caller, AvatarOf::Owner, upload.bytes).await?;
    Ok(Json(AvatarResponse { avatar: state.avatar_url(&Some(name)).unwrap_or_default() }))
}

/// Owner types.
#[utoipa::path(get, path = "/api/owner/type", tag = "Api/Owner", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = [DictItem])))]
pub async fn owner_types(_caller: Caller<AnyUserOrSignup>) -> Response {
    dict_items(dict::OWNER_TYPES)
}

#[derive(Deserialize, IntoParams)]
pub struct SubTypeQuery {
    /// Only the sub-types of this owner type.
    owner_type: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct SubTypeItem {
    id: i64,
    owner_type: i64,
    name: String,
}

/// Owner sub-types.
#[utoipa::path(get, path = "/api/owner/subtype", tag = "Api/Owner", security(("jwt" = [])), params(SubTypeQuery),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = [SubTypeItem]), (status = 400, response = ErrorResponse)))]
pub async fn owner_sub_types(
    _caller: Caller<AnyUserOrSignup>,
    QueryParams(q): QueryParams<SubTypeQuery>,
) -> ApiResult<Response> {
    if let Some(t) = q.owner_type
        && !dict::owner_type_exists(t)
    {
        return Err(crate::ApiError::field(ErrorCode::FieldRange, "owner_type", "Unknown owner type"));
    }
    let items: Vec<SubTypeItem> = dict::OWNER_SUB_TYPES
        .iter()
        .filter(|(_, t, _)| q.owner_type.is_none_or(|q| q == *t as i64))
        .map(|(id, t, name)| SubTypeItem { id: *id as i64, owner_type: *t as i64, name: (*name).to_owned() })
        .collect();
    Ok(dictionary(items))
}

#[cfg(test)]
mod tests {
    #[test]
    fn percent_round_trip() {
        for (s, bp) in [("0", 0), ("2.5", 250), ("10", 1000), ("0.05", 5), ("7.25", 725)] {
            let n: serde_json::Number = s.parse().unwrap();
            assert_eq!(super::basis_points(&n), Some(bp));
            assert_eq!(super::percent(bp).to_string(), s);
        }
        assert_eq!(super::basis_points(&"1.234".parse().unwrap()), None);
    }
}
