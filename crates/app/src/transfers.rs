//! Transfers between owners and exchanges between an owner's own balances (§2.13, §4.11).

use paygate_core::{Amount, AppError, AppResult, ErrorCode};
use paygate_store::ledger::{self, Account, Leg};
use paygate_store::transfers::{self, OrderFamily, Transfer};
use paygate_store::{Conn, DbAmount, Tx, owners, rates, users};

use crate::Services;
use crate::actor::Actor;
use crate::ledger::{Booking, OP_EXCHANGE_IN, OP_EXCHANGE_OUT, OP_TRANSFER_IN, OP_TRANSFER_OUT};
use crate::policy::check_amount;

/// Seconds an exchange quote stays valid.
pub const QUOTE_TTL: i64 = 30;

#[derive(Debug, Clone)]
pub struct TransferInput {
    pub amount: Amount,
    pub commission: Option<Amount>,
    pub from_balance_id: i64,
    pub order_id: String,
    pub product_id: i64,
    pub to_owner_id: i64,
}

/// `GET /api/transfer/{order_id}`.
#[derive(Debug, Clone)]
pub struct TransferView {
    pub transfer: Transfer,
    pub author: String,
    pub coin_code: String,
    pub to_owner_name: String,
}

/// `POST /api/transfer/check/recipient`.
#[derive(Debug, Clone)]
pub struct RecipientCheck {
    pub to_owner_id: i64,
    pub to_owner_name: String,
    pub can_receive: bool,
    pub coin_id: Option<i64>,
    pub commission: Option<Amount>,
    pub total_debit: Option<Amount>,
}

#[derive(Debug, Clone)]
pub struct ExchangeQuote {
    pub from_balance_id: i64,
    pub to_balance_id: i64,
    pub from_coin_id: i64,
    pub to_coin_id: i64,
    pub rate: Amount,
    pub expires_at: i64,
    pub min_amount: Amount,
    pub max_amount: Amount,
}

#[derive(Debug, Clone)]
pub struct ExchangeInput {
    pub amount: Amount,
    pub from_balance_id: i64,
    pub to_balance_id: i64,
    pub order_id: String,
    pub product_id: i64,
    pub rate: Amount,
}

impl Services {
    /// A source balance: the owner's, and available (422 4226 otherwise).
    async fn source_balance(&self, c: &mut impl Conn, owner_id: i64, id: i64, field: &str) -> AppResult<Account> {
        let b = self.own_balance(c, owner_id, id, field).await?;
        if !b.available {
            return Err(AppError::field(ErrorCode::BalanceUnavailable, field, "The balance is switched off"));
        }
        Ok(b)
    }

    /// The transfer commission of the owner's plan for `amount` of the balance's coin.
    async fn transfer_commission(
        &self,
        c: &mut impl Conn,
        plan: &paygate_core::plan::Plan,
        b: &Account,
        amount: &Amount,
    ) -> AppResult<Amount> {
        let min = if plan.transfer_commission_min.is_zero() {
            Amount::zero()
        } else {
            let rate = self.require_rate(c, 1, b.coin_id).await?;
            plan.transfer_commission_min.mul(&rate.rate)
        };
        Ok(plan.transfer_commission(amount, b.decimals, &min))
    }

    /// Counts an outgoing amount toward the owner's daily total (USD equivalent, UTC day) and
    /// refuses it when the plan's limit would be passed. The total is kept with the movement in
    /// the same unit of work, locked, so concurrent movements cannot both slip under the limit.
    pub(crate) async fn count_outgoing(
        &self,
        tx: &mut Tx,
        plan: &paygate_core::plan::Plan,
        owner_id: i64,
        coin_id: i64,
        amount: &Amount,
    ) -> AppResult<()> {
        if plan.daily_outgoing_limit.is_zero() {
            return Ok(());
        }
        let day = self.now().div_euclid(86_400);
        let usd = self.require_rate(tx, coin_id, 1).await?.rate.mul(amount);
        let total = &ledger::outgoing_total(tx, owner_id, day).await? + &usd;
        if total > plan.daily_outgoing_limit {
            return Err(AppError::field(
                ErrorCode::LimitExceeded,
                "amount",
                "Daily outgoing limit of the plan exceeded",
            ));
        }
        ledger::set_outgoing_total(tx, owner_id, day, &total).await?;
        Ok(())
    }

    /// The recipient of a transfer: another owner, active, and KYC-approved when the gate is on.
    async fn recipient(&self, c: &mut impl Conn, sender: i64, to_owner_id: i64) -> AppResult<(owners::Owner, bool)> {
        let to = owners::by_id(c, to_owner_id)
            .await?
            .ok_or_else(|| AppError::field(ErrorCode::NotFound, "to_owner_id", "Unknown owner"))?;
        if to.id == sender {
            return Err(AppError::field(
                ErrorCode::RecipientInvalid,
                "to_owner_id",
                "A transfer to yourself is an exchange",
            ));
        }
        let can_receive = to.status == owners::STATUS_ACTIVE && (!self.config.kyc_required || to.kyc_status == 2);
        Ok((to, can_receive))
    }

    /// `POST /api/transfer`: sender −(amount + commission), recipient +amount, fees +commission,
    /// in one ledger transaction.
    pub async fn transfer(&self, actor: &Actor, t: TransferInput) -> AppResult<()> {
        let owner_id = self.owner_of(actor)?;
        let mut tx = self.store.begin().await?;
        let (owner, plan) = self.owner_with_plan(&mut tx, owner_id).await?;
        self.require_kyc(&owner)?;
        self.require_product(&plan, t.product_id)?;
        let from = self.source_balance(&mut tx, owner_id, t.from_balance_id, "from_balance_id").await?;
        check_amount("amount", &t.amount, from.decimals, false)?;
        let (to, can_receive) = self.recipient(&mut tx, owner_id, t.to_owner_id).await?;
        if !can_receive {
            return Err(AppError::field(
                ErrorCode::RecipientInvalid,
                "to_owner_id",
                "The recipient cannot receive transfers",
            ));
        }
        let commission = self.transfer_commission(&mut tx, &plan, &from, &t.amount).await?;
        if let Some(given) = &t.commission
            && *given != commission
        {
            return Err(AppError::field(
                ErrorCode::CommissionMismatch,
                "commission",
                format!("The commission is {commission}"),
            ));
        }
        if transfers::order_exists(&mut tx, OrderFamily::Transfer, owner_id, &t.order_id).await? {
            return Err(AppError::field(
                ErrorCode::DuplicateOrderId,
                "order_id",
                "order_id already used for a transfer",
            ));
        }
        self.count_outgoing(&mut tx, &plan, owner_id, from.coin_id, &t.amount).await?;
        let now = self.now();
        let to_balance = ledger::ensure_balance(&mut tx, to.id, from.coin_id, now).await?;
        let mut legs = vec![
            Leg {
                account_id: from.id,
                coin_id: from.coin_id,
                amount: -(&t.amount + &commission),
                operation_type: OP_TRANSFER_OUT,
            },
            Leg {
                account_id: to_balance,
                coin_id: from.coin_id,
                amount: t.amount.clone(),
                operation_type: OP_TRANSFER_IN,
            },
        ];
        if commission.is_positive() {
            let fees = ledger::house(&mut tx, ledger::HOUSE_FEES, from.coin_id, now).await?;
            legs.push(Leg {
                account_id: fees,
                coin_id: from.coin_id,
                amount: commission.clone(),
                operation_type: OP_TRANSFER_OUT,
            });
        }
        let memo = serde_json::json!({ "to_owner_id": to.id, "from_owner_id": owner_id }).to_string();
        let booking = Booking {
            op_key: format!("transfer:{owner_id}:{}", t.order_id),
            operation_type: OP_TRANSFER_OUT,
            product_id: t.product_id,
            owner_id: Some(owner_id),
            user_id: Some(actor.user_id),
            order_id: Some(&t.order_id),
            memo: Some(memo),
            legs,
        };
        let tx_id = self.book(&mut tx, booking, "amount").await?;
        let record = Transfer {
            id: 0,
            ledger_tx_id: tx_id,
            owner_id,
            order_id: t.order_id.clone(),
            user_id: Some(actor.user_id),
            product_id: t.product_id,
            from_balance_id: from.id,
            to_owner_id: to.id,
            to_balance_id: to_balance,
            coin_id: from.coin_id,
            amount: DbAmount(t.amount.clone()),
            commission: DbAmount(commission.clone()),
            created_at: now,
        };
        transfers::insert_transfer(&mut tx, &record).await.map_err(|e| {
            if e.is_conflict_on("transfers_owner_id_order_id_key") {
                AppError::field(ErrorCode::DuplicateOrderId, "order_id", "order_id already used for a transfer")
            } else {
                e.into()
            }
        })?;
        let data = serde_json::json!({ "operation_id": tx_id, "order_id": t.order_id, "coin_id": from.coin_id });
        self.notify_owner(
            &mut tx,
            to.id,
            "transfer.received",
            "Transfer received",
            &format!("{} {} from {}", t.amount, from.code, owner.name),
            data.clone(),
        )
        .await?;
        self.notify_owner(
            &mut tx,
            owner_id,
            "transfer.sent",
            "Transfer sent",
            &format!("{} {} to {}", t.amount, from.code, to.name),
            data,
        )
        .await?;
        let event = serde_json::json!({
            "amount": t.amount,
            "coin_id": from.coin_id,
            "code": from.code,
            "from_owner_id": owner_id,
            "from_owner_name": owner.name,
            "to_balance_id": to_balance,
            "date": paygate_core::time::rfc3339(now),
        });
        self.emit(&mut tx, to.id, "transfer.received", event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// `GET /api/transfer/{order_id}[/{user_id}]`.
    pub async fn transfer_by_order(
        &self,
        actor: &Actor,
        order_id: &str,
        user_id: Option<i64>,
    ) -> AppResult<TransferView> {
        let owner_id = self.owner_of(actor)?;
        let mut c = self.store.conn().await?;
        let not_found = || AppError::not_found("Transfer");
        let t = transfers::transfer_by_order(&mut c, owner_id, order_id).await?.ok_or_else(not_found)?;
        if user_id.is_some_and(|u| Some(u) != t.user_id) {
            return Err(not_found());
        }
        let author = match t.user_id {
            Some(id) => users::by_id(&mut c, id).await?.map(|u| {
                let name = format!("{} {}", u.name, u.surname).trim().to_owned();
                if name.is_empty() { u.email } else { name }
            }),
            None => None,
        };
        let coin_code = paygate_store::catalogue::coin(&mut c, t.coin_id).await?.map(|c| c.code).unwrap_or_default();
        let to_owner_name = owners::by_id(&mut c, t.to_owner_id).await?.map(|o| o.name).unwrap_or_default();
        Ok(TransferView { transfer: t, author: author.unwrap_or_default(), coin_code, to_owner_name })
    }

    /// `POST /api/transfer/check/recipient`.
    pub async fn check_recipient(
        &self,
        actor: &Actor,
        to_owner_id: i64,
        from_balance_id: Option<i64>,
        amount: Option<Amount>,
    ) -> AppResult<RecipientCheck> {
        let owner_id = self.owner_of(actor)?;
        let mut c = self.store.conn().await?;
        let (to, can_receive) = self.recipient(&mut c, owner_id, to_owner_id).await?;
        let mut out = RecipientCheck {
            to_owner_id: to.id,
            to_owner_name: to.name,
            can_receive,
            coin_id: None,
            commission: None,
            total_debit: None,
        };
        if let Some(bid) = from_balance_id {
            let b = self.own_balance(&mut c, owner_id, bid, "from_balance_id").await?;
            out.coin_id = Some(b.coin_id);
            if let Some(amount) = amount {
                check_amount("amount", &amount, b.decimals, false)?;
                let (_, plan) = self.owner_with_plan(&mut c, owner_id).await?;
                let commission = self.transfer_commission(&mut c, &plan, &b, &amount).await?;
                out.total_debit = Some(&amount + &commission);
                out.commission = Some(commission);
            }
        }
        Ok(out)
    }

    /// `GET /api/transfer/exchange/course`: a quote with the plan's spread, recorded for 30 s.
    pub async fn exchange_quote(
        &self,
        actor: &Actor,
        from_balance_id: i64,
        to_balance_id: i64,
    ) -> AppResult<ExchangeQuote> {
        let owner_id = self.owner_of(actor)?;
        let mut tx = self.store.begin().await?;
        let from = self.own_balance(&mut tx, owner_id, from_balance_id, "from_balance_id").await?;
        let to = self.own_balance(&mut tx, owner_id, to_balance_id, "to_balance_id").await?;
        if from.coin_id == to.coin_id {
            return Err(AppError::field(
                ErrorCode::BalanceUnavailable,
                "to_balance_id",
                "Both balances hold the same coin",
            ));
        }
        let (_, plan) = self.owner_with_plan(&mut tx, owner_id).await?;
        let market = self.require_rate(&mut tx, from.coin_id, to.coin_id).await?;
        let rate = plan.quote_rate(&market.rate);
        if !rate.is_positive() {
            return Err(AppError::new(ErrorCode::DependencyUnavailable, "No usable rate for this pair"));
        }
        let now = self.now();
        let expires_at = now + QUOTE_TTL;
        rates::insert_quote(&mut tx, owner_id, from.coin_id, to.coin_id, &DbAmount(rate.clone()), expires_at, now)
            .await?;
        tx.commit().await?;
        let unit = Amount::parse(&format!("1e-{}", to.decimals)).expect("unit");
        let mut min_amount = unit.div(&rate).unwrap_or_default().round_up(from.decimals);
        let one_source_unit = Amount::parse(&format!("1e-{}", from.decimals)).expect("unit");
        while min_amount.mul(&rate).round_down(to.decimals).is_zero() {
            min_amount = &min_amount + &one_source_unit;
        }
        Ok(ExchangeQuote {
            from_balance_id: from.id,
            to_balance_id: to.id,
            from_coin_id: from.coin_id,
            to_coin_id: to.coin_id,
            rate,
            expires_at,
            min_amount,
            max_amount: from.spendable().max(Amount::zero()),
        })
    }

    /// `POST /api/transfer/exchange`: at a live quote's exact rate, debits `amount` and credits
    /// ⌊amount × rate⌋ through the house exchange accounts.
    pub async fn exchange(&self, actor: &Actor, e: ExchangeInput) -> AppResult<()> {
        let owner_id = self.owner_of(actor)?;
        let mut tx = self.store.begin().await?;
        let (owner, plan) = self.owner_with_plan(&mut tx, owner_id).await?;
        self.require_kyc(&owner)?;
        self.require_product(&plan, e.product_id)?;
        let from = self.source_balance(&mut tx, owner_id, e.from_balance_id, "from_balance_id").await?;
        let to = self.source_balance(&mut tx, owner_id, e.to_balance_id, "to_balance_id").await?;
        if from.coin_id == to.coin_id {
            return Err(AppError::field(
                ErrorCode::BalanceUnavailable,
                "to_balance_id",
                "Both balances hold the same coin",
            ));
        }
        check_amount("amount", &e.amount, from.decimals, false)?;
        let now = self.now();
        let live = rates::quotes(&mut tx, owner_id, from.coin_id, to.coin_id, now).await?;
        if !live.iter().any(|q| q.rate.0 == e.rate) {
            return Err(AppError::field(
                ErrorCode::RateExpired,
                "rate",
                "The rate is not a live quote: ask for a new one",
            ));
        }
        let credited = e.amount.mul(&e.rate).round_down(to.decimals);
        if credited.is_zero() {
            return Err(AppError::field(ErrorCode::AmountOutOfRange, "amount", "The amount exchanges to zero"));
        }
        if transfers::order_exists(&mut tx, OrderFamily::Exchange, owner_id, &e.order_id).await? {
            return Err(AppError::field(
                ErrorCode::DuplicateOrderId,
                "order_id",
                "order_id already used for an exchange",
            ));
        }
        let house_from = ledger::house(&mut tx, ledger::HOUSE_EXCHANGE, from.coin_id, now).await?;
        let house_to = ledger::house(&mut tx, ledger::HOUSE_EXCHANGE, to.coin_id, now).await?;
        let legs = vec![
            Leg {
                account_id: from.id,
                coin_id: from.coin_id,
                amount: -e.amount.clone(),
                operation_type: OP_EXCHANGE_OUT,
            },
            Leg {
                account_id: house_from,
                coin_id: from.coin_id,
                amount: e.amount.clone(),
                operation_type: OP_EXCHANGE_OUT,
            },
            Leg {
                account_id: house_to,
                coin_id: to.coin_id,
                amount: -credited.clone(),
                operation_type: OP_EXCHANGE_IN,
            },
            Leg { account_id: to.id, coin_id: to.coin_id, amount: credited.clone(), operation_type: OP_EXCHANGE_IN },
        ];
        let memo = serde_json::json!({ "rate": e.rate.to_plain(), "to_balance_id": to.id }).to_string();
        let booking = Booking {
            op_key: format!("exchange:{owner_id}:{}", e.order_id),
            operation_type: OP_EXCHANGE_OUT,
            product_id: e.product_id,
            owner_id: Some(owner_id),
            user_id: Some(actor.user_id),
            order_id: Some(&e.order_id),
            memo: Some(memo),
            legs,
        };
        let tx_id = self.book(&mut tx, booking, "amount").await?;
        transfers::insert_exchange(
            &mut tx,
            transfers::NewExchange {
                ledger_tx_id: tx_id,
                owner_id,
                order_id: &e.order_id,
                user_id: Some(actor.user_id),
                product_id: e.product_id,
                from_balance_id: from.id,
                to_balance_id: to.id,
                amount: DbAmount(e.amount.clone()),
                credited: DbAmount(credited),
                rate: DbAmount(e.rate.clone()),
                now,
            },
        )
        .await
        .map_err(|err| {
            if err.is_conflict_on("exchanges_owner_id_order_id_key") {
                AppError::field(ErrorCode::DuplicateOrderId, "order_id", "order_id already used for an exchange")
            } else {
                err.into()
            }
        })?;
        tx.commit().await?;
        Ok(())
    }
}
