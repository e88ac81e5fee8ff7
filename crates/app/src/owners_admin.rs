//! The operator's view of owners (§5.5 `/admin/owner/*`).

use paygate_core::{AppError, AppResult};
use paygate_store::owners::{self, ListFilter, Member, Owner};

use crate::Services;
use crate::actor::Actor;

/// `GET /admin/owner/profile`. Documents and the questionnaire come with KYC; until then the
/// profile lists what is required and none of it is uploaded.
#[derive(Debug, Clone)]
pub struct OwnerProfile {
    pub owner: Owner,
    pub members: Vec<Member>,
    pub missing_doc_type_ids: Vec<i64>,
}

/// Document types an owner type must provide (§2.17).
pub fn required_doc_types(owner_type: i64) -> Vec<i64> {
    if owner_type == 2 { vec![1, 4, 5, 6, 7] } else { vec![1, 2, 3] }
}

impl Services {
    pub async fn list_owners(
        &self,
        _operator: &Actor,
        filter: &ListFilter,
        limit: i64,
        offset: i64,
    ) -> AppResult<(Vec<Owner>, i64)> {
        let mut c = self.store.conn().await?;
        Ok(owners::list(&mut c, filter, limit, offset).await?)
    }

    pub async fn owner_profile(&self, _operator: &Actor, owner_id: i64) -> AppResult<OwnerProfile> {
        let mut c = self.store.conn().await?;
        let owner = owners::by_id(&mut c, owner_id).await?.ok_or_else(|| AppError::not_found("Owner"))?;
        let members = owners::members(&mut c, owner_id).await?;
        let missing_doc_type_ids = required_doc_types(owner.owner_type);
        Ok(OwnerProfile { owner, members, missing_doc_type_ids })
    }
}
