//! An EVM node over JSON-RPC (alloy, read-only): the head, a block with the value transfers of
//! its transactions and the ERC-20 `Transfer` logs of chosen contracts, the gas price, and a
//! token contract's `decimals`.
//!
//! Native payments are top-level transactions whose `to` is the address (index 0: a transaction
//! to an address without code emits no logs, so no log index can collide with it); value moved
//! by contracts' internal calls is not seen, as no standard RPC reports it. Token payments are
//! `Transfer(address,address,uint256)` logs, indexed by their log index.

use std::time::Duration;

use alloy::consensus::Transaction as _;
use alloy::eips::BlockNumberOrTag;
use alloy::network::TransactionResponse as _;
use alloy::primitives::{Address, B256, Bytes, U256, b256};
use alloy::providers::{Provider, RootProvider};
use alloy::rpc::client::RpcClient;
use alloy::rpc::types::{Filter, TransactionInput, TransactionRequest};
use alloy::transports::http::Http;

use crate::node::NodeError;

/// A 20-byte EVM address, as the node client takes it.
pub type EvmAddress = Address;

/// `keccak256("Transfer(address,address,uint256)")`.
pub const TRANSFER_TOPIC: B256 = b256!("ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
/// `decimals()`.
const DECIMALS: [u8; 4] = [0x31, 0x3c, 0xe5, 0x67];

pub struct EvmNode {
    provider: RootProvider,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvmBlock {
    pub height: u64,
    pub hash: String,
    pub parent_hash: String,
    pub transfers: Vec<EvmTransfer>,
}

/// Value that reached `to` in a block: ether (`contract` = `None`) or a token's base units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvmTransfer {
    pub tx_hash: String,
    pub index: u64,
    /// EIP-55 checksummed.
    pub to: String,
    /// The token contract, EIP-55 checksummed.
    pub contract: Option<String>,
    pub value: U256,
}

fn unreachable(e: impl std::fmt::Display) -> NodeError {
    NodeError::Unreachable(e.to_string())
}

/// An address as paygate stores it (EIP-55).
pub fn checksummed(a: &Address) -> String {
    a.to_checksum(None)
}

impl EvmNode {
    /// A client of the node at `url`; every call gives up after `timeout`.
    pub fn new(url: &str, timeout: Duration) -> Result<EvmNode, NodeError> {
        let url = url::Url::parse(url).map_err(|e| NodeError::Config(format!("node URL: {e}")))?;
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|e| NodeError::Config(e.to_string()))?;
        let is_local = url.host_str().is_some_and(|h| h == "localhost" || h == "127.0.0.1" || h == "[::1]");
        let client = RpcClient::new(Http::with_client(http, url), is_local);
        Ok(EvmNode { provider: RootProvider::new(client) })
    }

    pub async fn head(&self) -> Result<u64, NodeError> {
        self.provider.get_block_number().await.map_err(unreachable)
    }

    /// The block at `height` with its ether transfers and the token `Transfer` logs of
    /// `contracts` (one `eth_getLogs` by block hash, so logs and block cannot disagree).
    pub async fn block(&self, height: u64, contracts: &[Address]) -> Result<Option<EvmBlock>, NodeError> {
        let Some(block) =
            self.provider.get_block_by_number(BlockNumberOrTag::Number(height)).full().await.map_err(unreachable)?
        else {
            return Ok(None);
        };
        if block.transactions.as_transactions().is_none() {
            return Err(NodeError::Protocol(format!("block {height} came without its transactions")));
        }
        let mut transfers = Vec::new();
        for tx in block.transactions.txns() {
            let (Some(to), value) = (tx.to(), tx.value()) else { continue };
            if value.is_zero() {
                continue;
            }
            transfers.push(EvmTransfer {
                tx_hash: tx.tx_hash().to_string(),
                index: 0,
                to: checksummed(&to),
                contract: None,
                value,
            });
        }
        if !contracts.is_empty() {
            let filter = Filter::new()
                .at_block_hash(block.header.hash)
                .address(contracts.to_vec())
                .event_signature(TRANSFER_TOPIC);
            for log in self.provider.get_logs(&filter).await.map_err(unreachable)? {
                let topics = log.topics();
                let data = &log.data().data;
                // A `Transfer` with indexed `to` and the value as the data word; anything else
                // under the same signature (ERC-721 puts the id in a topic) is not a payment.
                if topics.len() != 3 || data.len() != 32 {
                    continue;
                }
                let (Some(tx_hash), Some(index)) = (log.transaction_hash, log.log_index) else { continue };
                if log.removed {
                    continue;
                }
                transfers.push(EvmTransfer {
                    tx_hash: tx_hash.to_string(),
                    index,
                    to: checksummed(&Address::from_word(topics[2])),
                    contract: Some(checksummed(&log.address())),
                    value: U256::from_be_slice(data),
                });
            }
        }
        Ok(Some(EvmBlock {
            height: block.header.number,
            hash: block.header.hash.to_string(),
            parent_hash: block.header.parent_hash.to_string(),
            transfers,
        }))
    }

    /// The hash of the block at `height` (transaction hashes only: a light call).
    pub async fn block_hash(&self, height: u64) -> Result<Option<String>, NodeError> {
        let block = self.provider.get_block_by_number(BlockNumberOrTag::Number(height)).await.map_err(unreachable)?;
        Ok(block.map(|b| b.header.hash.to_string()))
    }

    /// Wei per gas the node suggests now.
    pub async fn gas_price(&self) -> Result<u128, NodeError> {
        self.provider.get_gas_price().await.map_err(unreachable)
    }

    /// The `decimals()` a token contract answers.
    pub async fn decimals(&self, contract: Address) -> Result<u8, NodeError> {
        let call =
            TransactionRequest::default().to(contract).input(TransactionInput::new(Bytes::from(DECIMALS.to_vec())));
        let out = self.provider.call(call).await.map_err(unreachable)?;
        if out.len() != 32 || out[..31].iter().any(|b| *b != 0) {
            return Err(NodeError::Protocol(format!("{contract} does not answer decimals() as an ERC-20")));
        }
        Ok(out[31])
    }
}

/// The 4-byte selector of a function signature such as `transfer(address,uint256)`.
pub fn selector(signature: &str) -> [u8; 4] {
    alloy::primitives::keccak256(signature.as_bytes())[..4].try_into().expect("4 bytes")
}

/// Parses an EVM address in any case (`0x` and 40 hex digits).
pub fn parse_address(s: &str) -> Option<Address> {
    s.trim().parse::<Address>().ok()
}
