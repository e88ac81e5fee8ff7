//! `/api/pay/*`: the pay objects.

pub mod pay_link;
pub mod product_stats;
