//! The currency catalogue as clients and operators see it (§4.1, §5.5).

use paygate_core::{Amount, AppError, AppResult, ErrorCode};
use paygate_store::catalogue::{self, Chain, Coin, Token};
use paygate_store::{Conn, DbAmount, Tx};

use crate::Services;
use crate::actor::{Actor, ClientInfo};
use crate::audit::Change;

/// What the public lists show.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub coins: Vec<Coin>,
    pub chains: Vec<Chain>,
    pub tokens: Vec<Token>,
}

#[derive(Debug, Clone, Default)]
pub struct TokenFilter {
    pub chain_id: Option<i64>,
    pub coin_id: Option<i64>,
    pub is_fiat: Option<bool>,
}

/// `POST /admin/chain`.
#[derive(Debug, Clone)]
pub struct NewChain {
    pub code: String,
    pub name: String,
    pub family: String,
    pub is_test: bool,
    pub evm_chain_id: Option<i64>,
    pub native_coin_id: i64,
    pub confirmations_required: i64,
    pub explorer_tx_url: Option<String>,
    pub enabled: bool,
}

/// `PUT /admin/chain`; `None` keeps a value, `Some(None)` clears the explorer URL.
#[derive(Debug, Clone, Default)]
pub struct ChainPatch {
    pub name: Option<String>,
    pub confirmations_required: Option<i64>,
    pub explorer_tx_url: Option<Option<String>>,
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, Default)]
pub struct CoinPatch {
    pub name: Option<String>,
    pub symbol: Option<Option<String>>,
    pub enabled: Option<bool>,
    pub decimals: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewToken {
    pub coin_id: i64,
    pub chain_id: i64,
    pub name: String,
    pub standard: String,
    pub contract_address: Option<String>,
    pub decimals: i64,
    pub min_amount: Amount,
    pub enabled: bool,
}

#[derive(Debug, Clone, Default)]
pub struct TokenPatch {
    pub name: Option<String>,
    pub min_amount: Option<Amount>,
    pub enabled: Option<bool>,
    pub contract_address: Option<String>,
}

impl Services {
    /// Enabled chains of the network mode, their enabled tokens, and the coins those serve
    /// (fiat coins when enabled). With `include_disabled` (operators) everything.
    pub async fn catalogue(&self, include_disabled: bool) -> AppResult<Catalogue> {
        let mut c = self.store.conn().await?;
        self.catalogue_in(&mut c, include_disabled).await
    }

    /// The same, read on the caller's connection: a unit of work must not wait for a second
    /// pooled connection while it holds one, or concurrent requests starve the pool.
    pub(crate) async fn catalogue_in(&self, c: &mut impl Conn, include_disabled: bool) -> AppResult<Catalogue> {
        let Catalogue { coins, chains, tokens } = self.reference(c).await?.catalogue.clone();
        if include_disabled {
            return Ok(Catalogue { coins, chains, tokens });
        }
        let chains: Vec<Chain> = chains.into_iter().filter(|ch| ch.enabled && self.chain_in_mode(ch)).collect();
        let tokens: Vec<Token> = tokens
            .into_iter()
            .filter(|t| t.enabled && chains.iter().any(|ch| ch.id == t.chain_id))
            .filter(|t| coins.iter().any(|c| c.id == t.coin_id && c.enabled))
            .collect();
        let coins = coins
            .into_iter()
            .filter(|c| c.enabled && (c.is_fiat || tokens.iter().any(|t| t.coin_id == c.id)))
            .collect();
        Ok(Catalogue { coins, chains, tokens })
    }

    /// Ends an operator's catalogue change: audited, committed, and this node's copy forgotten.
    async fn commit_catalogue(
        &self,
        mut tx: Tx,
        operator: &Actor,
        client: &ClientInfo,
        change: Change<'_>,
    ) -> AppResult<()> {
        self.audit(&mut tx, operator, client, change).await?;
        tx.commit().await?;
        self.forget_reference();
        Ok(())
    }

    /// Tokens the owner can accept: enabled, on an enabled chain of the mode that this instance
    /// watches, with an address key. The sandbox chain derives from the server's own key; real
    /// chains need an operator's extended public key (registered through `/admin/xpub`) and a
    /// configured node.
    pub async fn owner_tokens(&self, _actor: &Actor) -> AppResult<Vec<Token>> {
        let mut c = self.store.conn().await?;
        self.owner_tokens_in(&mut c).await
    }

    pub(crate) async fn owner_tokens_in(&self, c: &mut impl Conn) -> AppResult<Vec<Token>> {
        let keyed = self.reference(c).await?.keyed_chains.clone();
        let cat = self.catalogue_in(c, false).await?;
        let watched = |chain_id: i64| cat.chains.iter().any(|ch| ch.id == chain_id && self.watchable(ch));
        Ok(cat.tokens.iter().filter(|t| keyed.contains(&t.chain_id) && watched(t.chain_id)).cloned().collect())
    }

    pub async fn create_chain(&self, operator: &Actor, n: NewChain, client: &ClientInfo) -> AppResult<Chain> {
        let mut tx = self.store.begin().await?;
        if catalogue::coin(&mut tx, n.native_coin_id).await?.is_none() {
            return Err(AppError::field(ErrorCode::NotFound, "native_coin_id", "Unknown coin"));
        }
        let mut chain = Chain {
            id: 0,
            code: n.code,
            name: n.name,
            family: n.family,
            is_test: n.is_test,
            evm_chain_id: n.evm_chain_id,
            native_coin_id: n.native_coin_id,
            confirmations_required: n.confirmations_required,
            explorer_tx_url: n.explorer_tx_url,
            enabled: n.enabled,
        };
        if chain.enabled && !self.chain_in_mode(&chain) {
            return Err(AppError::field(
                ErrorCode::InvalidState,
                "enabled",
                "A chain of another network mode cannot be enabled",
            ));
        }
        chain.id = catalogue::insert_chain(&mut tx, &chain).await.map_err(|e| {
            if e.is_conflict_on("chains_code_key") {
                AppError::field(ErrorCode::AlreadyExists, "code", "Chain code taken")
            } else {
                e.into()
            }
        })?;
        self.commit_catalogue(
            tx,
            operator,
            client,
            Change {
                action: "chain.create",
                object_type: "chain",
                object_id: Some(chain.id),
                before: None,
                after: format!("{chain:?}"),
            },
        )
        .await?;
        Ok(chain)
    }

    pub async fn update_chain(&self, operator: &Actor, id: i64, p: ChainPatch, client: &ClientInfo) -> AppResult<()> {
        let mut tx = self.store.begin().await?;
        let before = catalogue::chain(&mut tx, id).await?.ok_or_else(|| AppError::not_found("Chain"))?;
        let mut chain = before.clone();
        if let Some(v) = p.name {
            chain.name = v;
        }
        if let Some(v) = p.confirmations_required {
            chain.confirmations_required = v;
        }
        if let Some(v) = p.explorer_tx_url {
            chain.explorer_tx_url = v;
        }
        if let Some(v) = p.enabled {
            chain.enabled = v;
        }
        if chain.enabled && !self.chain_in_mode(&chain) {
            return Err(AppError::field(
                ErrorCode::InvalidState,
                "enabled",
                "A chain of another network mode cannot be enabled",
            ));
        }
        catalogue::update_chain(&mut tx, &chain).await?;
        self.commit_catalogue(
            tx,
            operator,
            client,
            Change {
                action: "chain.update",
                object_type: "chain",
                object_id: Some(id),
                before: Some(format!("{before:?}")),
                after: format!("{chain:?}"),
            },
        )
        .await?;
        Ok(())
    }

    pub async fn create_coin(
        &self,
        operator: &Actor,
        n: catalogue::NewCoin<'_>,
        client: &ClientInfo,
    ) -> AppResult<Coin> {
        let mut tx = self.store.begin().await?;
        let id = catalogue::insert_coin(&mut tx, n).await.map_err(|e| {
            if e.is_conflict_on("coins_code_key") {
                AppError::field(ErrorCode::AlreadyExists, "code", "Coin code taken")
            } else {
                e.into()
            }
        })?;
        let coin = catalogue::coin(&mut tx, id).await?.ok_or_else(|| AppError::internal("coin vanished"))?;
        self.commit_catalogue(
            tx,
            operator,
            client,
            Change {
                action: "coin.create",
                object_type: "coin",
                object_id: Some(id),
                before: None,
                after: format!("{coin:?}"),
            },
        )
        .await?;
        Ok(coin)
    }

    pub async fn update_coin(&self, operator: &Actor, id: i64, p: CoinPatch, client: &ClientInfo) -> AppResult<()> {
        let mut tx = self.store.begin().await?;
        let before = catalogue::coin(&mut tx, id).await?.ok_or_else(|| AppError::not_found("Coin"))?;
        let mut coin = before.clone();
        if let Some(d) = p.decimals
            && d != coin.decimals
        {
            if catalogue::coin_in_use(&mut tx, id).await? {
                return Err(AppError::field(
                    ErrorCode::Locked,
                    "decimals",
                    "Decimals are fixed once a balance or token uses the coin",
                ));
            }
            coin.decimals = d;
        }
        if let Some(v) = p.name {
            coin.name = v;
        }
        if let Some(v) = p.symbol {
            coin.symbol = v;
        }
        if let Some(v) = p.enabled {
            coin.enabled = v;
        }
        catalogue::update_coin(&mut tx, &coin).await?;
        self.commit_catalogue(
            tx,
            operator,
            client,
            Change {
                action: "coin.update",
                object_type: "coin",
                object_id: Some(id),
                before: Some(format!("{before:?}")),
                after: format!("{coin:?}"),
            },
        )
        .await?;
        Ok(())
    }

    /// A token contract is an address of its chain's format (400 4005), and its own `decimals()`
    /// is what the operator registers (422 4225). The node is asked before any unit of work
    /// opens; one that does not answer does not block the operator (§5.5: checked "when the
    /// node is reachable").
    async fn check_contract(&self, chain_id: i64, contract: Option<&str>, decimals: i64) -> AppResult<()> {
        let Some(contract) = contract else { return Ok(()) };
        let chains = self.catalogue(true).await?.chains;
        let Some(chain) = chains.iter().find(|c| c.id == chain_id) else { return Ok(()) };
        let family = paygate_chain::Family::parse(&chain.family);
        let well_formed = match family {
            Some(f @ (paygate_chain::Family::Evm | paygate_chain::Family::Tron)) => {
                paygate_chain::is_valid_address(f, chain.is_test, contract)
            }
            _ => false,
        };
        if !well_formed {
            return Err(AppError::field(
                ErrorCode::FieldFormat,
                "contract_address",
                format!("Not a token contract address of {}", chain.name),
            ));
        }
        let Some(adapter) = self.adapter_for(chain) else { return Ok(()) };
        match adapter.token_decimals(self, contract).await {
            Ok(Some(declared)) if declared != decimals => Err(AppError::field(
                ErrorCode::AmountOutOfRange,
                "decimals",
                format!("The contract declares {declared} decimals"),
            )),
            Err(e) if e.code() != ErrorCode::DependencyUnavailable => Err(e),
            _ => Ok(()),
        }
    }

    pub async fn create_token(&self, operator: &Actor, n: NewToken, client: &ClientInfo) -> AppResult<Token> {
        self.check_contract(n.chain_id, n.contract_address.as_deref(), n.decimals).await?;
        let mut tx = self.store.begin().await?;
        let coin = catalogue::coin(&mut tx, n.coin_id)
            .await?
            .ok_or_else(|| AppError::field(ErrorCode::NotFound, "coin_id", "Unknown coin"))?;
        let chain = catalogue::chain(&mut tx, n.chain_id)
            .await?
            .ok_or_else(|| AppError::field(ErrorCode::NotFound, "chain_id", "Unknown chain"))?;
        if n.standard == "native" && chain.native_coin_id != coin.id {
            return Err(AppError::field(
                ErrorCode::FieldRange,
                "standard",
                "`native` only for the chain's native coin",
            ));
        }
        if n.decimals != coin.decimals {
            return Err(AppError::field(
                ErrorCode::AmountOutOfRange,
                "decimals",
                "Token decimals must equal the coin's",
            ));
        }
        crate::policy::check_amount("min_amount", &n.min_amount, n.decimals, false)?;
        let mut token = Token {
            id: 0,
            coin_id: n.coin_id,
            chain_id: n.chain_id,
            code: coin.code.clone(),
            name: n.name,
            standard: n.standard,
            contract_address: n.contract_address,
            decimals: n.decimals,
            min_amount: DbAmount(n.min_amount),
            enabled: n.enabled,
        };
        token.id = catalogue::insert_token(&mut tx, &token).await.map_err(|e| match e {
            paygate_store::StoreError::Conflict { .. } => {
                AppError::new(ErrorCode::AlreadyExists, "A token for this chain and contract exists")
            }
            e => e.into(),
        })?;
        self.commit_catalogue(
            tx,
            operator,
            client,
            Change {
                action: "token.create",
                object_type: "token",
                object_id: Some(token.id),
                before: None,
                after: format!("{token:?}"),
            },
        )
        .await?;
        Ok(token)
    }

    pub async fn update_token(&self, operator: &Actor, id: i64, p: TokenPatch, client: &ClientInfo) -> AppResult<()> {
        if let Some(contract) = &p.contract_address {
            let tokens = self.catalogue(true).await?.tokens;
            let t = tokens.iter().find(|t| t.id == id).ok_or_else(|| AppError::not_found("Token"))?;
            self.check_contract(t.chain_id, Some(contract), t.decimals).await?;
        }
        let mut tx = self.store.begin().await?;
        let before = catalogue::token(&mut tx, id).await?.ok_or_else(|| AppError::not_found("Token"))?;
        let mut token = before.clone();
        if let Some(v) = p.name {
            token.name = v;
        }
        if let Some(v) = p.min_amount {
            crate::policy::check_amount("min_amount", &v, token.decimals, false)?;
            token.min_amount = DbAmount(v);
        }
        if let Some(v) = p.enabled {
            token.enabled = v;
        }
        if let Some(v) = p.contract_address {
            if token.contract_address.is_some() {
                return Err(AppError::field(ErrorCode::Locked, "contract_address", "The contract address is set once"));
            }
            token.contract_address = Some(v);
        }
        catalogue::update_token(&mut tx, &token).await.map_err(|e| match e {
            paygate_store::StoreError::Conflict { .. } => {
                AppError::new(ErrorCode::AlreadyExists, "A token for this chain and contract exists")
            }
            e => e.into(),
        })?;
        self.commit_catalogue(
            tx,
            operator,
            client,
            Change {
                action: "token.update",
                object_type: "token",
                object_id: Some(id),
                before: Some(format!("{before:?}")),
                after: format!("{token:?}"),
            },
        )
        .await?;
        Ok(())
    }
}
