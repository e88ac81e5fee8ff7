//! Dictionaries served to clients: countries, time zones (§4.3, §4.10).

use paygate_core::dict::{self, CountryDef};
use paygate_core::{AppError, AppResult, ErrorCode};
use paygate_store::{Conn, timezones, users};

use crate::Services;
use crate::actor::Actor;

#[derive(Debug, Clone)]
pub struct TimezoneView {
    pub id: i64,
    pub name: String,
    pub utc_offset: String,
    pub selected: bool,
}

/// Countries ordered by name, optionally only SEPA members.
pub fn countries(sepa_only: bool) -> Vec<&'static CountryDef> {
    let mut list: Vec<_> = dict::COUNTRIES.iter().filter(|c| !sepa_only || c.sepa).collect();
    list.sort_by(|a, b| a.name.cmp(b.name));
    list
}

impl Services {
    pub async fn timezones(&self, actor: &Actor) -> AppResult<Vec<TimezoneView>> {
        let mut c = self.store.conn().await?;
        let selected = users::by_id(&mut c, actor.user_id).await?.map(|u| u.timezone_id);
        let all = timezones::all(&mut c).await?;
        Ok(all
            .into_iter()
            .filter_map(|tz| {
                let utc_offset = dict::timezones::utc_offset(&tz.name)?;
                Some(TimezoneView { selected: Some(tz.id) == selected, id: tz.id, name: tz.name, utc_offset })
            })
            .collect())
    }

    /// `PUT /api/timezone/set`.
    pub async fn set_timezone(&self, actor: &Actor, timezone_id: i64) -> AppResult<()> {
        let mut tx = self.store.begin().await?;
        self.require_timezone(&mut tx, timezone_id).await?;
        users::update_profile(
            &mut tx,
            actor.user_id,
            users::ProfilePatch { timezone_id: Some(timezone_id), ..Default::default() },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn require_timezone(&self, c: &mut impl Conn, id: i64) -> AppResult<()> {
        if timezones::exists(c, id).await? {
            Ok(())
        } else {
            Err(AppError::field(ErrorCode::FieldRange, "timezone_id", "Unknown time zone"))
        }
    }
}
