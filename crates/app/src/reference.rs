//! Reference data: what nearly every payment request reads and operators change rarely — the
//! currency catalogue, the chains that have an active address key, the static rates. Kept per
//! node for a few seconds so that creating and paying an invoice costs only its own writes.
//!
//! This node forgets its copy when it writes one of them itself; other nodes (and changes made
//! outside the services) are seen within `TTL`. Nothing that moves money trusts the copy alone:
//! an address is derived under the key's row lock, a rate is locked into the invoice it prices.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use paygate_core::AppResult;
use paygate_store::rates::StaticRate;
use paygate_store::{Conn, catalogue, rates, xpubs};

use crate::Services;
use crate::catalogue::Catalogue;

const TTL: Duration = Duration::from_secs(2);

#[derive(Debug)]
pub(crate) struct Reference {
    /// Everything, disabled entries included.
    pub catalogue: Catalogue,
    /// Chains with an active extended public key.
    pub keyed_chains: Vec<i64>,
    pub static_rates: Vec<StaticRate>,
}

#[derive(Default)]
pub(crate) struct ReferenceCache(Mutex<Option<(Instant, Arc<Reference>)>>);

impl Services {
    /// The reference data, read on the caller's connection when the copy is stale: a unit of
    /// work must not wait for a second pooled connection while it holds one.
    pub(crate) async fn reference(&self, c: &mut impl Conn) -> AppResult<Arc<Reference>> {
        if let Some((at, r)) = self.reference_cache.0.lock().expect("reference cache").as_ref()
            && at.elapsed() < TTL
        {
            return Ok(r.clone());
        }
        let fresh = Arc::new(Reference {
            catalogue: Catalogue {
                coins: catalogue::coins(c).await?,
                chains: catalogue::chains(c).await?,
                tokens: catalogue::tokens(c).await?,
            },
            keyed_chains: xpubs::keyed_chains(c).await?,
            static_rates: rates::static_rates(c).await?,
        });
        *self.reference_cache.0.lock().expect("reference cache") = Some((Instant::now(), fresh.clone()));
        Ok(fresh)
    }

    /// Drops this node's copy: called after the services change reference data, and by whoever
    /// changes it behind their back (a test's raw SQL, an operator's script) and must not wait.
    pub fn forget_reference(&self) {
        *self.reference_cache.0.lock().expect("reference cache") = None;
    }
}
