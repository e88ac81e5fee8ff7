//! Outgoing e-mail: templates, the transport, and the outbox job that sends.

pub mod templates;
mod transport;

pub use templates::Message;
pub use transport::Mailer;
