//! A chain's enabled tokens as an adapter reads its blocks: the native token, and contract tokens
//! keyed by their contract in the form the node speaks (a parsed EVM address, Tron's 20-byte
//! hex), so each transfer a node reports becomes the watcher's [`ChainTransfer`] the same way.

use paygate_core::{Amount, AppError, AppResult};
use paygate_store::catalogue::Token;

use super::watcher::ChainTransfer;
use crate::Services;

pub(crate) struct ChainTokens<K> {
    native: Option<Token>,
    contracts: Vec<(K, Token)>,
    /// A contract address as the catalogue or the node writes it, in key form.
    key: fn(&str) -> Option<K>,
}

impl Services {
    /// The enabled tokens of `chain_id`; contract tokens of `standard` (`erc20`, `trc20`) whose
    /// address `key` understands.
    pub(crate) async fn chain_tokens<K>(
        &self,
        chain_id: i64,
        standard: &str,
        key: fn(&str) -> Option<K>,
    ) -> AppResult<ChainTokens<K>> {
        let mut c = self.store.conn().await?;
        let reference = self.reference(&mut c).await?;
        let mut tokens = ChainTokens { native: None, contracts: vec![], key };
        for t in reference.catalogue.tokens.iter().filter(|t| t.chain_id == chain_id && t.enabled) {
            match (t.standard.as_str(), t.contract_address.as_deref().and_then(key)) {
                ("native", _) => tokens.native = Some(t.clone()),
                (s, Some(k)) if s == standard => tokens.contracts.push((k, t.clone())),
                _ => {}
            }
        }
        Ok(tokens)
    }
}

impl<K: PartialEq + Clone> ChainTokens<K> {
    /// The contracts whose transfers the node is asked for.
    pub(crate) fn contracts(&self) -> Vec<K> {
        self.contracts.iter().map(|(k, _)| k.clone()).collect()
    }

    pub(crate) fn is_native(&self, token_id: i64) -> bool {
        self.native.as_ref().is_some_and(|n| n.id == token_id)
    }

    /// `units` base units of the native token (`contract` = `None`) or of a listed contract's
    /// token that reached `to`; `None` for anything else.
    pub(crate) fn transfer(
        &self,
        contract: Option<&str>,
        tx_hash: String,
        index: i64,
        to: String,
        units: &str,
    ) -> AppResult<Option<ChainTransfer>> {
        let token = match contract {
            None => self.native.as_ref(),
            Some(c) => (self.key)(c).and_then(|k| self.contracts.iter().find(|(x, _)| *x == k)).map(|(_, t)| t),
        };
        let Some(token) = token else { return Ok(None) };
        let amount = Amount::from_base_units(units, token.decimals)
            .map_err(|_| AppError::internal("token amount out of range"))?;
        Ok(Some(ChainTransfer { tx_hash, index, to, token_id: token.id, amount }))
    }
}
