//! Blockchains: deposit addresses derived from operators' extended public keys (§2.6), and the
//! clients of the nodes the watchers read. The server never holds a private key; it only derives
//! public addresses at `…/0/{index}`.

pub mod address;
pub mod bitcoin_core;
pub mod evm;
pub mod node;
pub mod tron;

pub use address::{
    AddressError, Family, Net, Xpub, derive_address, is_valid_address, valid_template, xpub_from_seed,
    xpub_from_seed_on,
};
pub use node::NodeError;
