//! Bitcoin chains (main, testnet, regtest) behind the chain-adapter interface: every output of
//! every transaction of a block that pays an address, in the chain's native token.

use std::time::Duration;

use paygate_chain::NodeError;
use paygate_chain::bitcoin_core::BitcoinNode;
use paygate_core::{AppError, AppResult};

use super::nodes::node_failed;
use super::watcher::{BlockRef, ChainAdapter, ChainBlock};
use crate::Services;

pub(crate) struct BitcoinChain {
    chain_id: i64,
    code: String,
    node: BitcoinNode,
}

impl BitcoinChain {
    pub(crate) fn new(
        chain_id: i64,
        code: &str,
        net: paygate_chain::Net,
        node: &crate::ChainNode,
        timeout: Duration,
    ) -> Result<BitcoinChain, NodeError> {
        let auth = match (&node.rpc_user, &node.rpc_password) {
            (Some(u), Some(p)) => Some((u.clone(), String::from_utf8_lossy(&p.0).into_owned())),
            _ => None,
        };
        Ok(BitcoinChain { chain_id, code: code.to_owned(), node: BitcoinNode::new(&node.rpc_url, auth, net, timeout)? })
    }

    fn failed(&self, e: NodeError) -> AppError {
        node_failed(&self.code, e)
    }
}

#[async_trait::async_trait]
impl ChainAdapter for BitcoinChain {
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
        let Some(block) = self.node.block(height as u64).await.map_err(|e| self.failed(e))? else { return Ok(None) };
        // Bitcoin has no contracts: every output pays the native token.
        let tokens = s.chain_tokens(self.chain_id, "", |_| None::<()>).await?;
        let mut transfers = Vec::with_capacity(block.outputs.len());
        for o in block.outputs {
            transfers.extend(tokens.transfer(None, o.txid, o.vout as i64, o.address, &o.sats.to_string())?);
        }
        Ok(Some(ChainBlock {
            block: BlockRef { height: block.height as i64, hash: block.hash, parent_hash: block.parent_hash },
            transfers,
        }))
    }

    async fn block_hash(&self, _s: &Services, height: i64) -> AppResult<Option<String>> {
        self.node.block_hash(height as u64).await.map_err(|e| self.failed(e))
    }

    async fn fee_estimate(&self, _s: &Services, _token_id: i64) -> AppResult<Option<u128>> {
        Ok(self.node.fee_estimate().await.map_err(|e| self.failed(e))?.map(u128::from))
    }
}
