//! Layers around the router: path normalisation, request ids, metrics, response headers.

pub mod cors;
pub mod idempotency;
pub mod metrics;
pub mod normalize;
pub mod request_id;
