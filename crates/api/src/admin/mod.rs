//! `/admin/*` (§5.5): operator routes. Every one takes `Caller<OperatorOnly>`.

mod tfa_reset;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(tfa_reset::list)).routes(routes!(tfa_reset::decide))
}
