//! EVM chains (Ethereum, Sepolia, the local devnet) behind the chain-adapter interface: ether
//! from the block's transactions, ERC-20 tokens from the `Transfer` logs of the contracts the
//! catalogue lists for the chain, one `eth_getLogs` per block whatever the number of addresses.

use std::time::Duration;

use paygate_chain::NodeError;
use paygate_chain::evm::{EvmAddress as Address, EvmNode, parse_address};
use paygate_core::{Amount, AppError, AppResult, ErrorCode};
use paygate_store::catalogue::Token;

use super::nodes::node_failed;
use super::watcher::{BlockRef, ChainAdapter, ChainBlock, ChainTransfer};
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

    /// The chain's enabled tokens: the native one, and the ERC-20s by contract.
    async fn tokens(&self, s: &Services) -> AppResult<(Option<Token>, Vec<(Address, Token)>)> {
        let mut c = s.store.conn().await?;
        let reference = s.reference(&mut c).await?;
        let mine = reference.catalogue.tokens.iter().filter(|t| t.chain_id == self.chain_id && t.enabled);
        let mut native = None;
        let mut contracts = Vec::new();
        for t in mine {
            match (t.standard.as_str(), t.contract_address.as_deref().and_then(parse_address)) {
                ("native", _) => native = Some(t.clone()),
                ("erc20", Some(a)) => contracts.push((a, t.clone())),
                _ => {}
            }
        }
        Ok((native, contracts))
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
        let (native, tokens) = self.tokens(s).await?;
        let contracts: Vec<Address> = tokens.iter().map(|(a, _)| *a).collect();
        let Some(block) = self.node.block(height as u64, &contracts).await.map_err(|e| self.failed(e))? else {
            return Ok(None);
        };
        let mut transfers = Vec::with_capacity(block.transfers.len());
        for t in block.transfers {
            let token = match &t.contract {
                None => native.as_ref(),
                Some(c) => parse_address(c).and_then(|a| tokens.iter().find(|(x, _)| *x == a)).map(|(_, t)| t),
            };
            let Some(token) = token else { continue };
            let amount = Amount::from_base_units(&t.value.to_string(), token.decimals)
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
        let address = parse_address(contract)
            .ok_or_else(|| AppError::field(ErrorCode::FieldFormat, "contract_address", "Not an EVM address"))?;
        Ok(Some(self.node.decimals(address).await.map_err(|e| self.failed(e))? as i64))
    }

    async fn fee_estimate(&self, s: &Services, token_id: i64) -> AppResult<Option<u128>> {
        let (native, _) = self.tokens(s).await?;
        let gas = if native.is_some_and(|n| n.id == token_id) { GAS_NATIVE } else { GAS_TOKEN };
        let price = self.node.gas_price().await.map_err(|e| self.failed(e))?;
        Ok(Some(price.saturating_mul(gas)))
    }
}
