//! Plans (§2.8): what an owner may use and what it pays. Built into the release; the instance
//! chooses the default plan of new owners.

use crate::Amount;

/// Products of §2.3.
pub const PRODUCTS: [(i64, &str, &str); 4] = [
    (1, "business_wallet", "Business wallet"),
    (2, "pay_link", "Pay link"),
    (3, "pay_form", "Pay form"),
    (4, "m_pos", "mPOS"),
];

#[derive(Debug, Clone)]
pub struct Plan {
    pub id: i64,
    pub name: &'static str,
    pub price: Amount,
    /// Coin of the price (USD).
    pub coin_id: i64,
    pub period_days: i64,
    pub products: Vec<i64>,
    pub invoice_commission_percent: Amount,
    pub transfer_commission_percent: Amount,
    /// In USD, converted to the transferred coin.
    pub transfer_commission_min: Amount,
    pub exchange_spread_percent: Amount,
    pub withdrawal_commission_percent: Amount,
    /// In EUR.
    pub sepa_commission_fixed: Amount,
    pub sepa_commission_percent: Amount,
    /// USD equivalent per UTC day; 0 = none.
    pub daily_outgoing_limit: Amount,
}

fn a(s: &str) -> Amount {
    Amount::parse(s).expect("plan constant")
}

/// Every plan, by id.
pub fn plans() -> Vec<Plan> {
    vec![
        Plan {
            id: 1,
            name: "Start",
            price: Amount::zero(),
            coin_id: 1,
            period_days: 30,
            products: vec![1, 2, 3, 4],
            invoice_commission_percent: a("1"),
            transfer_commission_percent: a("0.5"),
            transfer_commission_min: Amount::zero(),
            exchange_spread_percent: a("1"),
            withdrawal_commission_percent: a("0.5"),
            sepa_commission_fixed: a("1"),
            sepa_commission_percent: a("0.2"),
            daily_outgoing_limit: a("10000"),
        },
        Plan {
            id: 2,
            name: "Business",
            price: a("49"),
            coin_id: 1,
            period_days: 30,
            products: vec![1, 2, 3, 4],
            invoice_commission_percent: a("0.5"),
            transfer_commission_percent: a("0.25"),
            transfer_commission_min: Amount::zero(),
            exchange_spread_percent: a("0.5"),
            withdrawal_commission_percent: a("0.25"),
            sepa_commission_fixed: a("0.5"),
            sepa_commission_percent: a("0.1"),
            daily_outgoing_limit: Amount::zero(),
        },
        Plan {
            id: 3,
            name: "Wallet only",
            price: Amount::zero(),
            coin_id: 1,
            period_days: 30,
            products: vec![1],
            invoice_commission_percent: a("1"),
            transfer_commission_percent: a("0.5"),
            transfer_commission_min: Amount::zero(),
            exchange_spread_percent: a("1"),
            withdrawal_commission_percent: a("0.5"),
            sepa_commission_fixed: a("1"),
            sepa_commission_percent: a("0.2"),
            daily_outgoing_limit: a("1000"),
        },
    ]
}

pub fn plan(id: i64) -> Option<Plan> {
    plans().into_iter().find(|p| p.id == id)
}

impl Plan {
    pub fn includes(&self, product_id: i64) -> bool {
        self.products.contains(&product_id)
    }

    /// Commission of a transfer of `amount` in a coin of `decimals`: the plan's percentage, at
    /// least `min_in_coin`, rounded up.
    pub fn transfer_commission(&self, amount: &Amount, decimals: i64, min_in_coin: &Amount) -> Amount {
        amount.percent(&self.transfer_commission_percent).round_up(decimals).max(min_in_coin.round_up(decimals))
    }

    /// An exchange rate with the plan's spread taken out, rounded down to 18 places.
    pub fn quote_rate(&self, market: &Amount) -> Amount {
        let hundred = Amount::from_int(100);
        market.mul(&(&hundred - &self.exchange_spread_percent)).div(&hundred).unwrap_or_default().round_down(18)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commissions_and_spread() {
        let p = plan(1).unwrap();
        assert_eq!(p.transfer_commission(&a("100"), 2, &Amount::zero()).to_plain(), "0.5");
        assert_eq!(p.transfer_commission(&a("0.01"), 2, &Amount::zero()).to_plain(), "0.01", "rounded up");
        assert_eq!(p.transfer_commission(&a("1"), 2, &a("0.3")).to_plain(), "0.3", "minimum");
        assert_eq!(p.quote_rate(&a("2")).to_plain(), "1.98");
        assert!(plan(3).unwrap().includes(1) && !plan(3).unwrap().includes(2));
        assert!(plan(9).is_none());
    }
}
