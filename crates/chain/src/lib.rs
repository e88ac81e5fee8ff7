//! Blockchains: deposit addresses derived from operators' extended public keys (§2.6). The
//! server never holds a private key; it only derives public addresses at `…/0/{index}`.

pub mod address;

pub use address::{AddressError, Family, Xpub, derive_address, is_valid_address, valid_template, xpub_from_seed};
