//! Booking money (§2.5): one balanced ledger transaction per movement, written with its
//! business row in one unit of work, idempotent by a key derived from its cause; the invariant
//! check; operator adjustments.

use std::collections::BTreeMap;

use paygate_core::{Amount, AppError, AppResult, ErrorCode};
use paygate_store::ledger::{self, Leg, NewTransaction};
use paygate_store::{Tx, catalogue, owners};

use crate::Services;
use crate::actor::{Actor, ClientInfo};
use crate::audit::Change;
use crate::policy::check_amount;

pub const OP_TRANSFER_IN: i64 = 4;
pub const OP_TRANSFER_OUT: i64 = 5;
pub const OP_EXCHANGE_IN: i64 = 6;
pub const OP_EXCHANGE_OUT: i64 = 7;
pub const OP_SUBSCRIPTION_FEE: i64 = 12;
pub const OP_ADJUSTMENT: i64 = 13;

/// A movement to book.
pub(crate) struct Booking<'a> {
    pub op_key: String,
    pub operation_type: i64,
    pub product_id: i64,
    pub owner_id: Option<i64>,
    pub user_id: Option<i64>,
    pub order_id: Option<&'a str>,
    pub memo: Option<String>,
    pub legs: Vec<Leg>,
}

/// `GET /admin/ledger/check`.
#[derive(Debug, Clone)]
pub struct LedgerReport {
    pub ok: bool,
    pub transactions: i64,
    pub postings: i64,
    pub coins: Vec<(i64, Amount)>,
    pub unbalanced_transactions: Vec<i64>,
    pub balances_mismatched: Vec<i64>,
}

/// `POST /admin/ledger/adjustment`.
#[derive(Debug, Clone)]
pub struct Adjustment {
    pub owner_id: i64,
    pub coin_id: i64,
    pub amount: Amount,
    pub order_id: String,
    pub reason: String,
    pub otp: String,
}

fn add_to<K: Ord>(m: &mut BTreeMap<K, Amount>, k: K, v: &Amount) {
    let e = m.entry(k).or_default();
    *e = &*e + v;
}

impl Services {
    /// Locks the accounts, refuses a debit of an owner balance beyond its spendable amount
    /// (422 4220 on `field`), and posts. Returns the ledger transaction id.
    pub(crate) async fn book(&self, tx: &mut Tx, b: Booking<'_>, field: &str) -> AppResult<i64> {
        let ids: Vec<i64> = b.legs.iter().map(|l| l.account_id).collect();
        ledger::lock(tx, &ids).await?;
        let mut debits: BTreeMap<i64, Amount> = BTreeMap::new();
        for l in b.legs.iter().filter(|l| l.amount.is_negative()) {
            let e = debits.entry(l.account_id).or_default();
            *e = &*e - &l.amount;
        }
        for (account_id, debit) in &debits {
            let a = ledger::by_id(tx, *account_id).await?.ok_or_else(|| AppError::internal("account vanished"))?;
            if a.owner_id.is_some() && a.spendable() < *debit {
                return Err(AppError::field(
                    ErrorCode::InsufficientFunds,
                    field,
                    format!("Insufficient funds on balance {}", a.id),
                ));
            }
        }
        let id = ledger::post(
            tx,
            NewTransaction {
                op_key: &b.op_key,
                operation_type: b.operation_type,
                product_id: b.product_id,
                owner_id: b.owner_id,
                user_id: b.user_id,
                order_id: b.order_id,
                status: ledger::POSTED,
                memo: b.memo.as_deref(),
                legs: b.legs,
                now: self.now(),
            },
        )
        .await
        .map_err(|e| {
            if e.is_conflict_on("ledger_transactions_op_key_key") {
                AppError::field(ErrorCode::DuplicateOrderId, "order_id", "order_id already used")
            } else {
                e.into()
            }
        })?;
        metrics::counter!("ledger_transactions_total").increment(1);
        Ok(id)
    }

    /// Recomputes from the postings alone that every transaction balances per coin and that
    /// every account's stored figures equal its postings. Read-only.
    pub async fn ledger_check(&self) -> AppResult<LedgerReport> {
        let mut c = self.store.conn().await?;
        let postings = ledger::all_postings(&mut c).await?;
        let accounts = ledger::all_accounts(&mut c).await?;
        let transactions = ledger::transaction_count(&mut c).await?;
        let mut per_tx: BTreeMap<(i64, i64), Amount> = BTreeMap::new();
        let mut per_coin: BTreeMap<i64, Amount> = BTreeMap::new();
        let mut posted: BTreeMap<i64, Amount> = BTreeMap::new();
        let mut held: BTreeMap<i64, Amount> = BTreeMap::new();
        for p in &postings {
            add_to(&mut per_tx, (p.tx_id, p.coin_id), &p.amount);
            add_to(&mut per_coin, p.coin_id, &p.amount);
            match p.status.as_str() {
                ledger::POSTED => add_to(&mut posted, p.account_id, &p.amount),
                ledger::PENDING if p.amount.is_negative() => add_to(&mut held, p.account_id, &-p.amount.0.clone()),
                _ => {}
            }
        }
        let mut unbalanced: Vec<i64> = per_tx.iter().filter(|(_, s)| !s.is_zero()).map(|((t, _), _)| *t).collect();
        unbalanced.dedup();
        let mismatched: Vec<i64> = accounts
            .iter()
            .filter(|a| {
                posted.get(&a.id).cloned().unwrap_or_default() != a.posted.0
                    || held.get(&a.id).cloned().unwrap_or_default() != a.held.0
            })
            .map(|a| a.id)
            .collect();
        let coins: Vec<(i64, Amount)> = per_coin.into_iter().collect();
        let ok = unbalanced.is_empty() && mismatched.is_empty() && coins.iter().all(|(_, s)| s.is_zero());
        Ok(LedgerReport {
            ok,
            transactions,
            postings: postings.len() as i64,
            coins,
            unbalanced_transactions: unbalanced,
            balances_mismatched: mismatched,
        })
    }

    /// An operator's correction between an owner's balance and the house `adjustments`
    /// account (operation type 13). Returns (ledger transaction, balance, new spendable).
    pub async fn adjust(&self, operator: &Actor, a: Adjustment, client: &ClientInfo) -> AppResult<(i64, i64, Amount)> {
        let mut tx = self.store.begin().await?;
        let op_user = paygate_store::users::by_id(&mut tx, operator.user_id)
            .await?
            .ok_or_else(|| AppError::internal("operator missing"))?;
        let seed = op_user.totp_secret.clone().ok_or_else(|| AppError::internal("operator without authenticator"))?;
        self.check_totp(&mut tx, op_user.id, &seed, &a.otp, "otp").await?;
        owners::by_id(&mut tx, a.owner_id)
            .await?
            .ok_or_else(|| AppError::field(ErrorCode::NotFound, "owner_id", "Unknown owner"))?;
        let coin = catalogue::coin(&mut tx, a.coin_id)
            .await?
            .ok_or_else(|| AppError::field(ErrorCode::NotFound, "coin_id", "Unknown coin"))?;
        check_amount("amount", &a.amount, coin.decimals, true)?;
        let op_key = format!("adjustment:{}", a.order_id);
        if ledger::tx_by_key(&mut tx, &op_key).await?.is_some() {
            return Err(AppError::field(
                ErrorCode::DuplicateOrderId,
                "order_id",
                "order_id already used for an adjustment",
            ));
        }
        let now = self.now();
        let balance_id = ledger::ensure_balance(&mut tx, a.owner_id, coin.id, now).await?;
        let house = ledger::house(&mut tx, ledger::HOUSE_ADJUSTMENTS, coin.id, now).await?;
        let memo = serde_json::json!({ "reason": a.reason, "operator_id": operator.user_id }).to_string();
        let booking = Booking {
            op_key,
            operation_type: OP_ADJUSTMENT,
            product_id: 1,
            owner_id: Some(a.owner_id),
            user_id: Some(operator.user_id),
            order_id: Some(&a.order_id),
            memo: Some(memo.clone()),
            legs: vec![
                Leg {
                    account_id: balance_id,
                    coin_id: coin.id,
                    amount: a.amount.clone(),
                    operation_type: OP_ADJUSTMENT,
                },
                Leg { account_id: house, coin_id: coin.id, amount: -a.amount.clone(), operation_type: OP_ADJUSTMENT },
            ],
        };
        let tx_id = self.book(&mut tx, booking, "amount").await?;
        let spendable = ledger::by_id(&mut tx, balance_id).await?.map(|b| b.spendable()).unwrap_or_default();
        self.notify_owner(
            &mut tx,
            a.owner_id,
            "balance.adjusted",
            "Balance adjusted",
            &format!("{} {} — {}", a.amount, coin.code, a.reason),
            serde_json::json!({ "balance_id": balance_id, "operation_id": tx_id }),
        )
        .await?;
        let change = Change {
            action: "ledger.adjustment",
            object_type: "ledger_transaction",
            object_id: Some(tx_id),
            before: None,
            after: memo,
        };
        self.audit(&mut tx, operator, client, change).await?;
        tx.commit().await?;
        Ok((tx_id, balance_id, spendable))
    }
}
