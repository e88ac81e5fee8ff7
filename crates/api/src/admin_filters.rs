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
