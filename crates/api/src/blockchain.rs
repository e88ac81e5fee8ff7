//! `/api/blockchain/*` (§4.13).

use paygate_core::dict;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{AnyUser, Caller};
use crate::state::AppState;
use crate::wire::{DictItem, dict_items};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(operation_types))
}

/// Blockchain operation types (§2.17).
#[utoipa::path(get, path = "/api/blockchain/operations/types", tag = "Api/Blockchain", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = [DictItem])))]
pub async fn operation_types(_caller: Caller<AnyUser>) -> axum::response::Response {
    dict_items(dict::BLOCKCHAIN_OPERATION_TYPES)
}
