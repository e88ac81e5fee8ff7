//! Tron chains (mainnet, Shasta) behind the chain-adapter interface: TRX `TransferContract`s and
//! the TRC-20 `Transfer` logs of the contracts the catalogue lists for the chain.

use std::time::Duration;

use paygate_chain::NodeError;
use paygate_chain::tron::{TronNode, base58_to_hex20};
use paygate_core::{AppError, AppResult};

use super::chain_tokens::ChainTokens;
use super::nodes::node_failed;
use super::watcher::{BlockRef, ChainAdapter, ChainBlock};
use crate::Services;

pub(crate) struct TronChain {
    chain_id: i64,
    code: String,
    node: TronNode,
}

impl TronChain {
    pub(crate) fn new(
        chain_id: i64,
        code: &str,
        node: &crate::ChainNode,
        timeout: Duration,
    ) -> Result<TronChain, NodeError> {
        let key = node.api_key.as_ref().map(|k| String::from_utf8_lossy(&k.0).into_owned());
        Ok(TronChain { chain_id, code: code.to_owned(), node: TronNode::new(&node.rpc_url, key, timeout)? })
    }

    fn failed(&self, e: NodeError) -> AppError {
        node_failed(&self.code, e)
    }

    /// TRC-20 contracts are keyed by their 20-byte hex, as logs name them.
    async fn tokens(&self, s: &Services) -> AppResult<ChainTokens<String>> {
        s.chain_tokens(self.chain_id, "trc20", base58_to_hex20).await
    }
}

#[async_trait::async_trait]
impl ChainAdapter for TronChain {
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
            transfers.extend(tokens.transfer(t.contract.as_deref(), t.tx_hash, t.index as i64, t.to, &t.value)?);
        }
        Ok(Some(ChainBlock {
            block: BlockRef { height: block.height as i64, hash: block.hash, parent_hash: block.parent_hash },
            transfers,
        }))
    }

    async fn block_hash(&self, _s: &Services, height: i64) -> AppResult<Option<String>> {
        self.node.block_hash(height as u64).await.map_err(|e| self.failed(e))
    }

    /// `contract` is a well-formed Tron address: `/admin/token` checks the format first.
    async fn token_decimals(&self, _s: &Services, contract: &str) -> AppResult<Option<i64>> {
        Ok(Some(self.node.decimals(contract).await.map_err(|e| self.failed(e))? as i64))
    }

    async fn fee_estimate(&self, s: &Services, token_id: i64) -> AppResult<Option<u128>> {
        let token = !self.tokens(s).await?.is_native(token_id);
        Ok(Some(self.node.fee_estimate(token).await.map_err(|e| self.failed(e))?))
    }
}
