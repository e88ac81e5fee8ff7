//! EVM chains (Ethereum, Sepolia, the local devnet) behind the chain-adapter interface: ether
//! from the block's transactions, ERC-20 tokens from the `Transfer` logs of the contracts the
//! catalogue lists for the chain, one `eth_getLogs` per block whatever the number of addresses.

use std::time::Duration;

use paygate_chain::NodeError;
use paygate_chain::evm::{EvmAddress as Address, EvmNode, parse_address};
use paygate_core::{AppError, AppResult, ErrorCode};

use super::chain_tokens::ChainTokens;
use super::nodes::node_failed;
use super::watcher::{BlockRef, ChainAdapter, ChainBlock};
use crate::Services;

/// Gas of a plain ether transfer, and a typical ERC-20 `transfer` (fee estimates only).
const GAS_NATIVE: u128 = 21_000;
const GAS_TOKEN: u128 = 65_000;

pub(crate) struct EvmChain {
    chain_id: i64,
    code: String,
    node: EvmNode,
}

impl EvmChain {
    pub(crate) fn new(chain_id: i64, code: &str, url: &str, timeout: Duration) -> Result<EvmChain, NodeError> {
        Ok(EvmChain { chain_id, code: code.to_owned(), node: EvmNode::new(url, timeout)? })
    }

    async fn tokens(&self, s: &Services) -> AppResult<ChainTokens<Address>> {
        s.chain_tokens(self.chain_id, "erc20", parse_address).await
    }

    fn failed(&self, e: NodeError) -> AppError {
        node_failed(&self.code, e)
    }
}

#[async_trait::async_trait]
impl ChainAdapter for EvmChain {
    fn chain_id(&self) -> i64 {
        self.chain_id
    }

    fn code(&self) -> &str {
        &self.code
    }

    async fn head(&self, _s: &Services) -> AppResult<Option<i64>> {
        Ok(Some(self.node.head().await.map_err(|e| self.failed(e))? as i64))
    }

    async fn block(&self, s: &Services, height: i64) -> AppResult<Option<ChainBlock>> {
        let tokens = self.tokens(s).await?;
        let Some(block) = self.node.block(height as u64, &tokens.contracts()).await.map_err(|e| self.failed(e))? else {
            return Ok(None);
        };
        let mut transfers = Vec::with_capacity(block.transfers.len());
        for t in block.transfers {
            let units = t.value.to_string();
            transfers.extend(tokens.transfer(t.contract.as_deref(), t.tx_hash, t.index as i64, t.to, &units)?);
        }
        Ok(Some(ChainBlock {
            block: BlockRef { height: block.height as i64, hash: block.hash, parent_hash: block.parent_hash },
            transfers,
        }))
    }

    async fn block_hash(&self, _s: &Services, height: i64) -> AppResult<Option<String>> {
        self.node.block_hash(height as u64).await.map_err(|e| self.failed(e))
    }

    async fn token_decimals(&self, _s: &Services, contract: &str) -> AppResult<Option<i64>> {
        let address = parse_address(contract)
            .ok_or_else(|| AppError::field(ErrorCode::FieldFormat, "contract_address", "Not an EVM address"))?;
        Ok(Some(self.node.decimals(address).await.map_err(|e| self.failed(e))? as i64))
    }

    async fn fee_estimate(&self, s: &Services, token_id: i64) -> AppResult<Option<u128>> {
        let gas = if self.tokens(s).await?.is_native(token_id) { GAS_NATIVE } else { GAS_TOKEN };
        let price = self.node.gas_price().await.map_err(|e| self.failed(e))?;
        Ok(Some(price.saturating_mul(gas)))
    }
}
