//! `/admin/*` (§5.5): operator routes. Every one takes `Caller<OperatorOnly>`.

mod catalogue;
mod money;
mod owner;
mod tfa_reset;
mod xpub;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(tfa_reset::list))
        .routes(routes!(tfa_reset::decide))
        .routes(routes!(owner::list))
        .routes(routes!(owner::profile))
        .routes(routes!(catalogue::create_chain, catalogue::update_chain))
        .routes(routes!(catalogue::create_coin, catalogue::update_coin))
        .routes(routes!(catalogue::create_token, catalogue::update_token))
        .routes(routes!(money::rates, money::set_rate))
        .routes(routes!(money::adjustment))
        .routes(routes!(money::check))
        .routes(routes!(xpub::list, xpub::add, xpub::retire))
}
