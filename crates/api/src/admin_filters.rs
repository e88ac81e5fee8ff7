//! The filter shapes of §1.8 shared by list routes.

use serde::Deserialize;
use utoipa::ToSchema;

/// `{"id": [...], "exclude": false}`.
#[derive(Deserialize, ToSchema, Default)]
pub struct IdSet {
    pub id: Option<Vec<i64>>,
    pub exclude: Option<bool>,
}

impl IdSet {
    pub fn into_filter(self) -> Option<(Vec<i64>, bool)> {
        self.id.map(|ids| (ids, self.exclude.unwrap_or(false)))
    }
}

/// `{"from": datetime, "to": datetime, "exclude": false}`.
#[derive(Deserialize, ToSchema, Default)]
pub struct Period {
    pub from: Option<String>,
    pub to: Option<String>,
    pub exclude: Option<bool>,
}

/// `{"coin_id", "currency_id", "token_id", "min", "max", "exclude"}` (§1.8).
#[derive(Deserialize, ToSchema, Default)]
pub struct AmountRangeFilter {
    pub coin_id: Option<i64>,
    pub currency_id: Option<i64>,
    pub token_id: Option<i64>,
    #[schema(value_type = Option<f64>)]
    pub min: Option<crate::wire::WireAmount>,
    #[schema(value_type = Option<f64>)]
    pub max: Option<crate::wire::WireAmount>,
    pub exclude: Option<bool>,
}

impl AmountRangeFilter {
    pub fn into_range(self) -> paygate_app::payments::statistics::AmountRange {
        paygate_app::payments::statistics::AmountRange {
            coin_id: self.coin_id,
            currency_id: self.currency_id,
            token_id: self.token_id,
            min: self.min.map(|a| a.0),
            max: self.max.map(|a| a.0),
            exclude: self.exclude.unwrap_or(false),
        }
    }
}

impl Period {
    /// `(from, to)` as Unix seconds; an unparsable bound is a `4005` on `field`.
    pub fn bounds(&self, field: &str, v: &mut paygate_core::validate::Validator) -> (Option<i64>, Option<i64>) {
        let parse = |s: &Option<String>, v: &mut paygate_core::validate::Validator| {
            s.as_deref().and_then(|s| {
                let t = paygate_core::time::parse_rfc3339(s);
                v.check(t.is_some(), paygate_core::ErrorCode::FieldFormat, field);
                t
            })
        };
        (parse(&self.from, v), parse(&self.to, v))
    }
}
