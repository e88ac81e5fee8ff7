//! Products, favourites and onboarding (§4.5), plans and subscriptions (§4.7).

use paygate_core::plan::{self, PRODUCTS, Plan};
use paygate_core::{AppError, AppResult, ErrorCode};
use paygate_store::ledger::{self, Leg};
use paygate_store::subscriptions::{self, Subscription};
use paygate_store::{DbAmount, Tx, products};

use crate::Services;
use crate::actor::Actor;
use crate::ledger::{Booking, OP_SUBSCRIPTION_FEE};

#[derive(Debug, Clone)]
pub struct ProductView {
    pub id: i64,
    pub code: &'static str,
    pub name: &'static str,
    pub enabled: bool,
    pub favorite: bool,
}

#[derive(Debug, Clone)]
pub struct Onboarding {
    pub product_id: i64,
    pub enabled: bool,
    pub steps: Vec<(&'static str, bool)>,
}

/// A subscription as shown, with its plan.
#[derive(Debug, Clone)]
pub struct SubscriptionView {
    pub plan: Plan,
    pub subscription: Subscription,
}

const DAY: i64 = 86_400;
/// Days a past-due subscription keeps its plan before falling back to plan 1.
const GRACE_DAYS: i64 = 7;

impl Services {
    pub async fn products(&self, actor: &Actor) -> AppResult<Vec<ProductView>> {
        let owner_id = self.owner_of(actor)?;
        let mut c = self.store.conn().await?;
        let (_, plan) = self.owner_with_plan(&mut c, owner_id).await?;
        let favorites = products::favorites(&mut c, actor.user_id).await?;
        Ok(PRODUCTS
            .iter()
            .map(|(id, code, name)| ProductView {
                id: *id,
                code,
                name,
                enabled: plan.includes(*id),
                favorite: favorites.contains(id),
            })
            .collect())
    }

    pub async fn set_favorite(&self, actor: &Actor, product_id: i64, favorite: bool) -> AppResult<()> {
        if !PRODUCTS.iter().any(|(id, _, _)| *id == product_id) {
            return Err(AppError::field(ErrorCode::FieldRange, "product_id", "Unknown product"));
        }
        let mut tx = self.store.begin().await?;
        products::set_favorite(&mut tx, actor.user_id, product_id, favorite).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Onboarding steps computed from the owner's state. Pay objects and invoices come with
    /// the payment products; until one exists those steps are not done.
    pub async fn onboarding(&self, actor: &Actor) -> AppResult<Vec<Onboarding>> {
        let owner_id = self.owner_of(actor)?;
        let mut c = self.store.conn().await?;
        let (owner, plan) = self.owner_with_plan(&mut c, owner_id).await?;
        let kyc = owner.kyc_status == 2;
        let balance = !ledger::balances(&mut c, owner_id).await?.is_empty();
        let credited = ledger::owner_has_credit(&mut c, owner_id).await?;
        Ok(PRODUCTS
            .iter()
            .map(|(id, _, _)| {
                let mut steps = vec![("kyc_approved", kyc), ("balance_opened", balance)];
                if *id != 1 {
                    steps.push(("object_created", false));
                }
                steps.push(("first_payment", *id == 1 && credited));
                Onboarding { product_id: *id, enabled: plan.includes(*id), steps }
            })
            .collect())
    }

    pub fn plans(&self) -> Vec<Plan> {
        plan::plans()
    }

    /// The owner's subscription; plan 1 when it never subscribed.
    pub async fn subscription(&self, actor: &Actor) -> AppResult<SubscriptionView> {
        let owner_id = self.owner_of(actor)?;
        let mut c = self.store.conn().await?;
        let (owner, plan) = self.owner_with_plan(&mut c, owner_id).await?;
        let subscription = subscriptions::get(&mut c, owner_id).await?.unwrap_or(Subscription {
            owner_id,
            plan_id: plan.id,
            status_id: 1,
            balance_id: None,
            price: DbAmount(plan.price.clone()),
            coin_id: plan.coin_id,
            started_at: owner.created_at,
            renews_at: None,
            past_due_since: None,
        });
        Ok(SubscriptionView { plan, subscription })
    }

    /// `POST /api/subscribe`: switches now; a paid plan is charged at once (type 12) and then
    /// every period from the same balance.
    pub async fn subscribe(&self, actor: &Actor, plan_id: i64, balance_id: Option<i64>) -> AppResult<SubscriptionView> {
        let owner_id = self.owner_of(actor)?;
        let new_plan =
            plan::plan(plan_id).ok_or_else(|| AppError::field(ErrorCode::NotFound, "plan_id", "Unknown plan"))?;
        let mut tx = self.store.begin().await?;
        let (_, current) = self.owner_with_plan(&mut tx, owner_id).await?;
        if current.id == new_plan.id {
            return Err(AppError::field(ErrorCode::InvalidState, "plan_id", "Already on this plan"));
        }
        let now = self.now();
        let mut sub = Subscription {
            owner_id,
            plan_id: new_plan.id,
            status_id: 1,
            balance_id: None,
            price: DbAmount(new_plan.price.clone()),
            coin_id: new_plan.coin_id,
            started_at: now,
            renews_at: None,
            past_due_since: None,
        };
        if new_plan.price.is_positive() {
            let Some(bid) = balance_id else {
                return Err(AppError::field(
                    ErrorCode::FieldRequired,
                    "balance_id",
                    "A paid plan needs a balance to charge",
                ));
            };
            let b = self.own_balance(&mut tx, owner_id, bid, "balance_id").await?;
            if !b.available || b.coin_id != new_plan.coin_id {
                return Err(AppError::field(
                    ErrorCode::BalanceUnavailable,
                    "balance_id",
                    "Charge an available balance in the plan's coin",
                ));
            }
            self.charge_subscription(&mut tx, owner_id, &new_plan, b.id, now).await?;
            sub.balance_id = Some(b.id);
            sub.renews_at = Some(now + new_plan.period_days * DAY);
        }
        subscriptions::upsert(&mut tx, &sub).await?;
        tx.commit().await?;
        Ok(SubscriptionView { plan: new_plan, subscription: sub })
    }

    async fn charge_subscription(
        &self,
        tx: &mut Tx,
        owner_id: i64,
        plan: &Plan,
        balance_id: i64,
        period_start: i64,
    ) -> AppResult<i64> {
        let fees = ledger::house(tx, ledger::HOUSE_FEES, plan.coin_id, self.now()).await?;
        let booking = Booking {
            op_key: format!("subscription:{owner_id}:{}:{period_start}", plan.id),
            operation_type: OP_SUBSCRIPTION_FEE,
            product_id: 1,
            owner_id: Some(owner_id),
            user_id: None,
            order_id: None,
            memo: Some(serde_json::json!({ "plan_id": plan.id }).to_string()),
            legs: vec![
                Leg {
                    account_id: balance_id,
                    coin_id: plan.coin_id,
                    amount: -plan.price.clone(),
                    operation_type: OP_SUBSCRIPTION_FEE,
                },
                Leg {
                    account_id: fees,
                    coin_id: plan.coin_id,
                    amount: plan.price.clone(),
                    operation_type: OP_SUBSCRIPTION_FEE,
                },
            ],
        };
        self.book(tx, booking, "balance_id").await
    }

    /// Renews due subscriptions: charges the balance, marks an unpaid one past due and after
    /// the grace period falls back to plan 1. Returns how many were handled.
    pub async fn renew_subscriptions(&self) -> AppResult<usize> {
        let now = self.now();
        let due = {
            let mut c = self.store.conn().await?;
            subscriptions::due(&mut c, now).await?
        };
        for mut sub in due.clone() {
            let Some(plan) = plan::plan(sub.plan_id) else { continue };
            let mut tx = self.store.begin().await?;
            let period_start = sub.renews_at.unwrap_or(now);
            let charged = match sub.balance_id {
                Some(bid) => self.charge_subscription(&mut tx, sub.owner_id, &plan, bid, period_start).await,
                None => Err(AppError::new(ErrorCode::InsufficientFunds, "no balance")),
            };
            match charged {
                Ok(_) => {
                    sub.status_id = 1;
                    sub.past_due_since = None;
                    sub.renews_at = Some(period_start + plan.period_days * DAY);
                    subscriptions::upsert(&mut tx, &sub).await?;
                    tx.commit().await?;
                }
                Err(e) if e.code() == ErrorCode::InsufficientFunds => {
                    drop(tx);
                    let mut tx = self.store.begin().await?;
                    let since = *sub.past_due_since.get_or_insert(now);
                    if now - since >= GRACE_DAYS * DAY {
                        let start = plan::plan(1).expect("plan 1");
                        sub = Subscription {
                            plan_id: 1,
                            status_id: 1,
                            balance_id: None,
                            price: DbAmount(start.price),
                            coin_id: start.coin_id,
                            started_at: now,
                            renews_at: None,
                            past_due_since: None,
                            ..sub
                        };
                    } else {
                        sub.status_id = 3;
                        sub.renews_at = Some(now + DAY);
                    }
                    subscriptions::upsert(&mut tx, &sub).await?;
                    tx.commit().await?;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(due.len())
    }
}
