//! `/auth/*` (§4.25): sign-in, sign-up, recovery, tokens, the authenticator QR code.

mod qrcode;
mod recovery;
mod session;
mod sign_in;
mod sign_up;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_in::sign_in))
        .routes(routes!(sign_in::check_password))
        .routes(routes!(sign_in::resend_sign_in_code))
        .routes(routes!(sign_up::send_code))
        .routes(routes!(sign_up::check_code))
        .routes(routes!(sign_up::set_password))
        .routes(routes!(sign_up::update_user))
        .routes(routes!(sign_up::update_owner))
        .routes(routes!(sign_up::check))
        .routes(routes!(sign_up::complete))
        .routes(routes!(recovery::send_code))
        .routes(routes!(recovery::reset_password))
        .routes(routes!(session::check_token))
        .routes(routes!(session::refresh))
        .routes(routes!(session::log_out))
        .routes(routes!(qrcode::qrcode))
}
