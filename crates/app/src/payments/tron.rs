//! Tron chains (mainnet, Shasta) behind the chain-adapter interface: TRX `TransferContract`s and
//! the TRC-20 `Transfer` logs of the contracts the catalogue lists for the chain.

use std::time::Duration;

use paygate_chain::NodeError;
use paygate_chain::tron::{TronNode, base58_to_hex20};
use paygate_core::{Amount, AppError, AppResult, ErrorCode};
use paygate_store::catalogue::Token;

use super::nodes::node_failed;
use super::watcher::{BlockRef, ChainAdapter, ChainBlock, ChainTransfer};
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

    /// The chain's enabled tokens: the native one, and the TRC-20s by contract (20-byte hex).
    async fn tokens(&self, s: &Services) -> AppResult<(Option<Token>, Vec<(String, Token)>)> {
        let mut c = s.store.conn().await?;
        let reference = s.reference(&mut c).await?;
        let mut native = None;
        let mut contracts = Vec::new();
        for t in reference.catalogue.tokens.iter().filter(|t| t.chain_id == self.chain_id && t.enabled) {
            match (t.standard.as_str(), t.contract_address.as_deref().and_then(base58_to_hex20)) {
                ("native", _) => native = Some(t.clone()),
                ("trc20", Some(hex)) => contracts.push((hex, t.clone())),
                _ => {}
            }
        }
        Ok((native, contracts))
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
        let (native, tokens) = self.tokens(s).await?;
        let contracts: Vec<String> = tokens.iter().map(|(c, _)| c.clone()).collect();
        let Some(block) = self.node.block(height as u64, &contracts).await.map_err(|e| self.failed(e))? else {
            return Ok(None);
        };
        let mut transfers = Vec::with_capacity(block.transfers.len());
        for t in block.transfers {
            let token = match &t.contract {
                None => native.as_ref(),
                Some(c) => base58_to_hex20(c).and_then(|hex| tokens.iter().find(|(x, _)| *x == hex)).map(|(_, t)| t),
            };
            let Some(token) = token else { continue };
            let amount = Amount::from_base_units(&t.value, token.decimals)
                .map_err(|_| AppError::internal("token amount out of range"))?;
            transfers.push(ChainTransfer {
                tx_hash: t.tx_hash,
                index: t.index as i64,
                to: t.to,
                token_id: token.id,
                amount,
            });
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
        if base58_to_hex20(contract).is_none() {
            return Err(AppError::field(ErrorCode::FieldFormat, "contract_address", "Not a Tron address"));
        }
        Ok(Some(self.node.decimals(contract).await.map_err(|e| self.failed(e))? as i64))
    }

    async fn fee_estimate(&self, s: &Services, token_id: i64) -> AppResult<Option<u128>> {
        let (native, _) = self.tokens(s).await?;
        let token = native.is_none_or(|n| n.id != token_id);
        Ok(Some(self.node.fee_estimate(token).await.map_err(|e| self.failed(e))?))
    }
}
