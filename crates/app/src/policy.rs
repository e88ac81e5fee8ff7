//! Rules shared by the money operations: the active owner, its plan, the KYC gate, products,
//! the instance's network mode.

use paygate_core::plan::{self, Plan};
use paygate_core::{Amount, AmountError, AppError, AppResult, ErrorCode};
use paygate_store::Conn;
use paygate_store::catalogue::Chain;
use paygate_store::owners::{self, Owner};

use crate::actor::Actor;
use crate::{NetworkMode, Services};

/// An input amount error as the envelope reports it (400 4006 on `field`).
pub fn amount_error(field: &str, e: AmountError) -> AppError {
    let why = match e {
        AmountError::NotADecimal => "not a decimal",
        AmountError::NotPositive => "must be greater than zero",
        AmountError::TooManyDecimals => "more decimals than the coin has",
        AmountError::TooManyDigits => "more than 30 integer digits",
    };
    AppError::field(ErrorCode::InvalidAmount, field, format!("{field}: {why}"))
}

/// Checks an input amount against the coin's decimals.
pub fn check_amount(field: &str, amount: &Amount, decimals: i64, allow_negative: bool) -> AppResult<()> {
    amount.check_input(decimals, allow_negative).map_err(|e| amount_error(field, e))
}

impl Services {
    /// The caller's active owner id (403 4036 without one).
    pub(crate) fn owner_of(&self, actor: &Actor) -> AppResult<i64> {
        actor.owner.map(|o| o.id).ok_or_else(|| AppError::new(ErrorCode::NoActiveOwner, "No active owner"))
    }

    pub(crate) async fn owner_with_plan(&self, c: &mut impl Conn, owner_id: i64) -> AppResult<(Owner, Plan)> {
        let owner = owners::by_id(c, owner_id).await?.ok_or_else(|| AppError::not_found("Owner"))?;
        let plan = plan_of(&owner);
        Ok((owner, plan))
    }

    /// The KYC gate of §2.15 for operations marked KYC.
    pub(crate) fn require_kyc(&self, owner: &Owner) -> AppResult<()> {
        if self.config.kyc_required && owner.kyc_status != 2 {
            return Err(AppError::new(ErrorCode::KycNotApproved, "KYC of the owner is not approved"));
        }
        Ok(())
    }

    /// A product of the dictionary that the owner's plan includes.
    pub(crate) fn require_product(&self, plan: &Plan, product_id: i64) -> AppResult<()> {
        if !plan::PRODUCTS.iter().any(|(id, _, _)| *id == product_id) {
            return Err(AppError::field(ErrorCode::FieldRange, "product_id", "Unknown product"));
        }
        if !plan.includes(product_id) {
            return Err(AppError::field(
                ErrorCode::ProductNotAvailable,
                "product_id",
                "The plan does not include this product",
            ));
        }
        Ok(())
    }

    /// Whether a chain belongs to the instance's network mode (only those can be enabled).
    pub fn chain_in_mode(&self, chain: &Chain) -> bool {
        match self.config.network_mode {
            NetworkMode::Sandbox => chain.family == "sandbox",
            NetworkMode::Test => chain.is_test && chain.family != "sandbox",
            NetworkMode::Main => !chain.is_test,
        }
    }
}

/// An owner's plan (plan 1 when the owner's is gone from the dictionary).
pub(crate) fn plan_of(owner: &Owner) -> Plan {
    plan::plan(owner.plan_id).or_else(|| plan::plan(1)).expect("plan 1 exists")
}
