//! Every chain's watched addresses, held in memory: matching a block's transfers costs one hash
//! lookup per transfer however many addresses exist, and only the few that match are read from
//! the database.
//!
//! Addresses are never deleted or reused, so the sets only grow: each refresh reads the rows
//! above the highest id seen. An id below it may still commit later (a unit of work that took
//! its id before a faster one committed), so ids found missing are asked for again on every
//! refresh until they appear or `GAP_WAIT` (an hour) has passed (rolled-back inserts leave
//! holes for good).
//! The watcher refreshes after fetching a block and before matching it: an address a payer could
//! pay was committed before the payment, hence before the block was fetched.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
use std::sync::Mutex;

use paygate_core::AppResult;
use paygate_store::xpubs;

use crate::Services;

/// Far longer than any unit of work that inserts an address can run (statement and lock
/// timeouts end them well before); holes are rare (rolled-back inserts), so waiting is cheap.
const GAP_WAIT: i64 = 3600;
/// Holes kept at most: the oldest are given up first.
const MAX_GAPS: usize = 100_000;

#[derive(Default)]
pub(crate) struct WatchedSets(Mutex<Sets>);

#[derive(Default)]
struct Sets {
    max_id: i64,
    /// Missing ids below `max_id`, with when they were first missed.
    gaps: BTreeMap<i64, i64>,
    /// Per chain, a 64-bit hash of each address: 8 bytes an address; a collision only costs a
    /// database lookup that finds nothing.
    chains: HashMap<i64, HashSet<u64>>,
}

impl Sets {
    /// Takes in rows read after `max_id` (and missing ids found since); notes the new holes.
    fn merge(&mut self, rows: Vec<(i64, i64, String)>, now: i64) {
        let mut ids: Vec<i64> = Vec::with_capacity(rows.len());
        for (id, chain_id, address) in rows {
            self.chains.entry(chain_id).or_default().insert(key(&address));
            self.gaps.remove(&id);
            ids.push(id);
        }
        ids.sort_unstable();
        let before = self.max_id;
        let mut expected = before + 1;
        for id in ids.into_iter().filter(|id| *id > before) {
            for missing in expected..id {
                self.gaps.entry(missing).or_insert(now);
            }
            expected = id + 1;
        }
        self.max_id = before.max(expected - 1);
        self.gaps.retain(|_, first_missed| now - *first_missed < GAP_WAIT);
        while self.gaps.len() > MAX_GAPS {
            self.gaps.pop_first();
        }
    }

    fn has(&self, chain_id: i64, address: &str) -> bool {
        self.chains.get(&chain_id).is_some_and(|s| s.contains(&key(address)))
    }
}

fn key(address: &str) -> u64 {
    BuildHasherDefault::<DefaultHasher>::default().hash_one(address)
}

impl Services {
    /// Reads the addresses created since the last refresh.
    pub(crate) async fn refresh_watched(&self) -> AppResult<()> {
        let (after, gaps) = {
            let sets = self.watched.0.lock().expect("watched sets");
            (sets.max_id, sets.gaps.keys().copied().collect::<Vec<_>>())
        };
        let rows = {
            let mut c = self.store.conn().await?;
            xpubs::addresses_after(&mut c, after, &gaps).await?
        };
        let now = self.now();
        self.watched.0.lock().expect("watched sets").merge(rows, now);
        Ok(())
    }

    /// Whether `address` may be watched on `chain_id` (false positives possible, never false
    /// negatives once refreshed).
    pub(crate) fn maybe_watched(&self, chain_id: i64, address: &str) -> bool {
        self.watched.0.lock().expect("watched sets").has(chain_id, address)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, chain: i64, address: &str) -> (i64, i64, String) {
        (id, chain, address.to_owned())
    }

    #[test]
    fn an_address_committed_after_a_higher_id_is_still_taken_in() {
        let mut sets = Sets::default();
        sets.merge(vec![row(1, 8, "a"), row(2, 9, "b"), row(4, 8, "d")], 1000);
        assert!(sets.has(8, "a") && sets.has(9, "b") && sets.has(8, "d"));
        assert!(!sets.has(9, "a"), "per chain");
        assert_eq!((sets.max_id, sets.gaps.keys().copied().collect::<Vec<_>>()), (4, vec![3]));
        // id 3 commits later: read as a gap, not lost below max_id
        sets.merge(vec![row(3, 8, "c"), row(6, 8, "f")], 1010);
        assert!(sets.has(8, "c") && sets.has(8, "f"));
        assert_eq!((sets.max_id, sets.gaps.keys().copied().collect::<Vec<_>>()), (6, vec![5]));
        // a hole that never fills (a rolled-back insert) is given up after GAP_WAIT
        sets.merge(vec![], 1010 + GAP_WAIT - 1);
        assert_eq!(sets.gaps.len(), 1);
        sets.merge(vec![], 1010 + GAP_WAIT);
        assert!(sets.gaps.is_empty());
        // rows read twice (two chains refreshing at once) change nothing
        sets.merge(vec![row(6, 8, "f")], 1100);
        assert_eq!((sets.max_id, sets.gaps.len()), (6, 0));
    }

    #[test]
    fn hashes_are_stable_across_sets() {
        assert_eq!(key("0xAbC"), key("0xAbC"));
        assert_ne!(key("0xAbC"), key("0xabc"), "addresses are compared as stored");
    }
}
