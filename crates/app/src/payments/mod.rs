//! Getting paid (§2.6, §2.9, §2.10, §4.26): addresses, pay links, invoices, the chains they are
//! paid on, and crediting through the ledger.

pub mod addresses;
mod bitcoin;
mod chain_tokens;
mod evm;
pub mod invoices;
pub(crate) mod nodes;
pub mod pay_links;
pub mod sandbox;
pub mod state;
pub mod statistics;
mod tron;
pub mod wallets;
pub(crate) mod watched;
pub mod watcher;

pub use invoices::{InvoiceCreate, InvoiceView, PayAnswer, PaymentView};
pub use pay_links::{PayLinkInput, PayLinkPatch, PayLinkSummary};
pub use sandbox::SandboxTransferAnswer;
pub use wallets::{PublicLinkCard, ReceiveRequest, WalletView};
