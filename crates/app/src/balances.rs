//! Balances (§4.2): opening, flags, and figures derived from the ledger.

use paygate_core::{Amount, AppError, AppResult, ErrorCode, Role};
use paygate_store::ledger::{self, Account};
use paygate_store::{Conn, catalogue, memberships};

use crate::Services;
use crate::actor::Actor;

/// `GET /api/balance/general`.
#[derive(Debug, Clone)]
pub struct GeneralBalance {
    pub coin_id: i64,
    pub code: String,
    pub amount: Amount,
    pub hold: Amount,
    pub incoming: Amount,
    pub balances_count: i64,
    pub unconverted_coin_ids: Vec<i64>,
    pub rates_at: i64,
}

/// One row of `GET /api/balance/state/user`.
#[derive(Debug, Clone)]
pub struct OwnerBalanceState {
    pub owner_id: i64,
    pub owner_name: String,
    pub role_id: i64,
    pub general: GeneralBalance,
}

/// Which balance flag a call changes.
#[derive(Debug, Clone, Copy)]
pub enum BalanceFlag {
    Available(bool),
    Default(bool),
}

impl Services {
    pub async fn balances(&self, actor: &Actor) -> AppResult<Vec<Account>> {
        let owner_id = self.owner_of(actor)?;
        let mut c = self.store.conn().await?;
        Ok(ledger::balances(&mut c, owner_id).await?)
    }

    /// A balance of the caller's owner (404 otherwise).
    pub(crate) async fn own_balance(
        &self,
        c: &mut impl Conn,
        owner_id: i64,
        id: i64,
        field: &str,
    ) -> AppResult<Account> {
        ledger::balance(c, owner_id, id)
            .await?
            .ok_or_else(|| AppError::field(ErrorCode::NotFound, field, "Balance not found"))
    }

    /// `POST /api/balance`.
    pub async fn open_balance(&self, actor: &Actor, coin_id: i64) -> AppResult<Account> {
        let owner_id = self.owner_of(actor)?;
        let mut tx = self.store.begin().await?;
        let coin = catalogue::coin(&mut tx, coin_id).await?;
        if !coin.is_some_and(|c| c.enabled) {
            return Err(AppError::field(ErrorCode::NotFound, "coin_id", "Unknown coin"));
        }
        if ledger::balance_of_coin(&mut tx, owner_id, coin_id).await?.is_some() {
            return Err(AppError::field(ErrorCode::AlreadyExists, "coin_id", "A balance for this coin exists"));
        }
        let id = ledger::open_balance(&mut tx, owner_id, coin_id, self.now()).await?;
        let account =
            ledger::balance(&mut tx, owner_id, id).await?.ok_or_else(|| AppError::internal("balance vanished"))?;
        tx.commit().await?;
        Ok(account)
    }

    /// The `available` and `default` flags (§2.5): a default balance must be available, so the
    /// default one cannot be switched off and an unavailable one cannot become the default.
    pub async fn set_balance_flag(&self, actor: &Actor, balance_id: i64, flag: BalanceFlag) -> AppResult<()> {
        let owner_id = self.owner_of(actor)?;
        let mut tx = self.store.begin().await?;
        let b = self.own_balance(&mut tx, owner_id, balance_id, "balance_id").await?;
        match flag {
            BalanceFlag::Available(false) if b.is_default => {
                return Err(AppError::field(
                    ErrorCode::InvalidState,
                    "balance_id",
                    "The default balance must stay available",
                ));
            }
            BalanceFlag::Available(on) => ledger::set_available(&mut tx, b.id, on).await?,
            BalanceFlag::Default(true) if !b.available => {
                return Err(AppError::field(
                    ErrorCode::BalanceUnavailable,
                    "balance_id",
                    "An unavailable balance cannot be the default",
                ));
            }
            BalanceFlag::Default(true) => ledger::set_default(&mut tx, owner_id, Some(b.id)).await?,
            BalanceFlag::Default(false) if b.is_default => ledger::set_default(&mut tx, owner_id, None).await?,
            BalanceFlag::Default(false) => {}
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every balance of the owner converted into the default balance's coin (else USD),
    /// rounded down; coins without a rate are listed, not guessed.
    pub(crate) async fn general_balance(&self, c: &mut impl Conn, owner_id: i64) -> AppResult<GeneralBalance> {
        let balances = ledger::balances(c, owner_id).await?;
        let target = balances.iter().find(|b| b.is_default).map(|b| b.coin_id).unwrap_or(1);
        let coin = catalogue::coin(c, target).await?.ok_or_else(|| AppError::internal("target coin missing"))?;
        let (mut amount, mut hold, mut incoming) = (Amount::zero(), Amount::zero(), Amount::zero());
        let mut unconverted = vec![];
        let mut rates_at = self.now();
        for b in &balances {
            let Some(rate) = self.rate(c, b.coin_id, target).await? else {
                unconverted.push(b.coin_id);
                continue;
            };
            rates_at = rates_at.min(rate.at);
            amount = &amount + &b.spendable().mul(&rate.rate);
            hold = &hold + &b.held.mul(&rate.rate);
            incoming = &incoming + &b.incoming.mul(&rate.rate);
        }
        if !unconverted.is_empty()
            && self.rate_source.is_some()
            && !self.rates_healthy()
            && unconverted.len() == balances.len()
        {
            return Err(AppError::new(ErrorCode::DependencyUnavailable, "Rate source down and no rates cached"));
        }
        Ok(GeneralBalance {
            coin_id: target,
            code: coin.code,
            amount: amount.round_down(coin.decimals),
            hold: hold.round_down(coin.decimals),
            incoming: incoming.round_down(coin.decimals),
            balances_count: balances.len() as i64,
            unconverted_coin_ids: unconverted,
            rates_at,
        })
    }

    pub async fn general(&self, actor: &Actor) -> AppResult<GeneralBalance> {
        let owner_id = self.owner_of(actor)?;
        let mut c = self.store.conn().await?;
        self.general_balance(&mut c, owner_id).await
    }

    /// `GET /api/balance/state/user`: the general balance of every owner the user may read.
    pub async fn balance_states(&self, actor: &Actor) -> AppResult<Vec<OwnerBalanceState>> {
        let mut c = self.store.conn().await?;
        let mut out = vec![];
        for m in memberships::of_user(&mut c, actor.user_id).await? {
            let readable = Role::from_id(m.role_id).is_some_and(|r| paygate_core::RoleSet::R1235.contains(r));
            if m.status_id != memberships::STATUS_ACTIVE || !readable {
                continue;
            }
            let general = self.general_balance(&mut c, m.owner_id).await?;
            out.push(OwnerBalanceState { owner_id: m.owner_id, owner_name: m.owner_name, role_id: m.role_id, general });
        }
        Ok(out)
    }
}
