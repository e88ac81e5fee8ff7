//! `POST /admin/owner/list`, `GET /admin/owner/profile`.
use serde_json::json;

use axum::Json;
use axum::response::Response;
use paygate_core::ErrorCode;
use paygate_core::validate::Validator;
use paygate_store::owners::ListFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::admin_filters::{IdSet, Period};
use crate::error::{ApiResult, ErrorResponse};
use crate::extract::{Body, Caller, OperatorOnly, QueryParams, Validate};
use crate::state::AppState;
use crate::wire::{Paging, paged, time};

#[derive(Deserialize, ToSchema, Default)]
pub struct OwnerFilters {
    kyc_status: Option<IdSet>,
    /// Owner name, member e-mail or id.
    search: Option<String>,
    created: Option<Period>,
}

#[derive(Deserialize, ToSchema)]
pub struct OwnerListRequest {
    filters: Option<OwnerFilters>,
    #[serde(flatten)]
    #[schema(inline)]
    paging: Paging,
}

impl Validate for OwnerListRequest {
    fn validate(&self, v: &mut Validator) {
        self.paging.check(v);
        let Some(f) = &self.filters else { return };
        if let Some(ids) = f.kyc_status.as_ref().and_then(|s| s.id.as_ref()) {
            v.check((1..=500).contains(&ids.len()), ErrorCode::FieldRange, "filters.kyc_status.id");
        }
        if let Some(s) = &f.search {
            v.length("filters.search", s, 1, 100);
        }
        if let Some(p) = &f.created {
            for (field, value) in [("filters.created.from", &p.from), ("filters.created.to", &p.to)] {
                if let Some(t) = value {
                    v.check(paygate_core::time::parse_rfc3339(t).is_some(), ErrorCode::FieldFormat, field);
                }
            }
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OwnerRow {
    id: i64,
    name: String,
    owner_type: i64,
    owner_sub_type: i64,
    country_id: i64,
    kyc_status: i64,
    identification_status: i64,
    questionnaire_confirmed_at: Option<String>,
    documents_under_review: i64,
    plan_id: i64,
    created_at: String,
}

/// Owners, newest first; `X-Total-Count`.
#[utoipa::path(post, path = "/admin/owner/list", tag = "Admin", request_body = OwnerListRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))), responses((status = 200, body = [OwnerRow])))]
pub async fn list(
    state: AppState,
    caller: Caller<OperatorOnly>,
    Body(b): Body<OwnerListRequest>,
) -> ApiResult<Response> {
    let f = b.filters.unwrap_or_default();
    let created = f.created.unwrap_or_default();
    let filter = ListFilter {
        kyc_status: f.kyc_status.and_then(IdSet::into_filter),
        search: f.search,
        created_from: created.from.as_deref().and_then(paygate_core::time::parse_rfc3339),
        created_to: created.to.as_deref().and_then(paygate_core::time::parse_rfc3339),
        created_exclude: created.exclude.unwrap_or(false),
    };
    let (rows, total) = state.list_owners(&caller, &filter, b.paging.limit(), b.paging.offset()).await?;
    let rows = rows
        .into_iter()
        .map(|o| OwnerRow {
            id: o.id,
            name: o.name,
            owner_type: o.owner_type,
            owner_sub_type: o.owner_sub_type,
            country_id: o.country_id,
            kyc_status: o.kyc_status,
            identification_status: o.identification_status,
            questionnaire_confirmed_at: None,
            documents_under_review: 0,
            plan_id: o.plan_id,
            created_at: time(o.created_at),
        })
        .collect();
    Ok(paged(rows, total))
}

#[derive(Deserialize, IntoParams)]
pub struct ProfileQuery {
    /// Owner id.
    id: Option<i64>,
}

/// An owner with its compliance profile, documents and members.
#[utoipa::path(get, path = "/admin/owner/profile", tag = "Admin", params(ProfileQuery), security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))), responses((status = 200, body = Object), (status = 404, response = ErrorResponse)))]
pub async fn profile(
    state: AppState,
    caller: Caller<OperatorOnly>,
    QueryParams(q): QueryParams<ProfileQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let id = crate::wire::required_query_id(q.id)?;
    let p = state.owner_profile(&caller, id).await?;
    let o = &p.owner;
    let members: Vec<serde_json::Value> = p
        .members
        .iter()
        .map(|m| {
            json!({
                "user_id": m.user_id, "membership_id": m.membership_id, "email": m.email, "name": m.name, "surname": m.surname,
                "avatar": state.avatar_url(&m.avatar), "role_id": m.role_id, "status_id": m.status_id,
                "last_sign_in_at": m.last_sign_in_at.map(time), "created_at": time(m.created_at),
            })
        })
        .collect();
    Ok(Json(json!({
        "owner": {
            "id": o.id, "owner_type": o.owner_type, "owner_sub_type": o.owner_sub_type, "name": o.name,
            "registration_number": o.registration_number, "vat_number": o.vat_number, "country_id": o.country_id,
            "address": o.address, "phone": o.phone, "email": o.email, "site_url": o.site_url, "avatar": state.avatar_url(&o.avatar),
            "kyc_status": o.kyc_status, "identification_status": o.identification_status, "referral_code": o.referral_code,
            "referrer_owner_id": o.referrer_owner_id, "plan_id": o.plan_id, "invoice_expiry_minutes": o.invoice_expiry_minutes,
            "show_network_fee": o.show_network_fee, "created_at": time(o.created_at),
        },
        "profile": {
            "owner_id": o.id, "kyc_status": o.kyc_status, "identification_status": o.identification_status,
            "questionnaire_confirmed": false, "questionnaire_confirmed_at": null, "contract_available": false,
            "missing_doc_type_ids": p.missing_doc_type_ids, "documents": {"under_review": 0, "approved": 0, "rejected": 0},
            "comment": null, "reviewed_at": null,
        },
        "questionnaire": {},
        "documents": [],
        "members": members,
    })))
}
