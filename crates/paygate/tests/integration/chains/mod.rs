//! The chain watchers against real nodes (anvil) and in-process servers speaking a node's wire
//! format, through the HTTP surface a merchant uses.

mod bitcoin;
mod evm;
mod isolation;
mod killed;
mod tron;
