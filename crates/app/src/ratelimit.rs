//! In-process sliding-window counters for the limits of §1.9.
//!
//! Each API node counts on its own: behind a load balancer of N nodes a request-rate limit is
//! at most N times looser, which is acceptable for abuse protection. What must hold exactly —
//! one-time-code tries and the account's sign-in lock — is stored in the database instead.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Default)]
pub struct Limiter {
    windows: Mutex<HashMap<String, VecDeque<Instant>>>,
    /// Token buckets for "n / min, burst b": (tokens left, when last refilled).
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl Limiter {
    /// Counts one event under `key` unless `limit` events already fell within `window`; then
    /// returns the seconds until the oldest of them leaves the window.
    pub fn hit(&self, key: &str, limit: usize, window: Duration) -> Result<(), u64> {
        let now = Instant::now();
        let mut map = self.windows.lock().expect("limiter lock");
        let q = map.entry(key.to_owned()).or_default();
        prune(q, now, window);
        if q.len() >= limit {
            let oldest = *q.front().expect("non-empty");
            return Err(retry_after(oldest + window, now));
        }
        q.push_back(now);
        Ok(())
    }

    /// Fails when `limit` events are already within `window`, without counting one.
    pub fn check(&self, key: &str, limit: usize, window: Duration) -> Result<(), u64> {
        let now = Instant::now();
        let mut map = self.windows.lock().expect("limiter lock");
        let Some(q) = map.get_mut(key) else {
            return Ok(());
        };
        prune(q, now, window);
        if q.len() >= limit {
            return Err(retry_after(*q.front().expect("non-empty") + window, now));
        }
        Ok(())
    }

    /// Records an event (a failure) under `key`; returns how many fall within `window`.
    pub fn record(&self, key: &str, window: Duration) -> usize {
        let now = Instant::now();
        let mut map = self.windows.lock().expect("limiter lock");
        let q = map.entry(key.to_owned()).or_default();
        prune(q, now, window);
        q.push_back(now);
        q.len()
    }

    pub fn clear(&self, key: &str) {
        self.windows.lock().expect("limiter lock").remove(key);
    }

    /// Takes one token from `key`'s bucket of `burst` tokens refilled at `per_minute`; when it
    /// is empty, returns the seconds until the next token.
    pub fn take(&self, key: &str, per_minute: f64, burst: f64) -> Result<(), u64> {
        let now = Instant::now();
        let per_second = per_minute / 60.0;
        let mut map = self.buckets.lock().expect("limiter lock");
        let (tokens, at) = map.entry(key.to_owned()).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * per_second).min(burst);
        *at = now;
        if *tokens < 1.0 {
            return Err(((1.0 - *tokens) / per_second).ceil().max(1.0) as u64);
        }
        *tokens -= 1.0;
        Ok(())
    }

    /// Drops keys with nothing left in a window of `max_window` and full buckets (a job).
    pub fn sweep(&self, max_window: Duration) {
        let now = Instant::now();
        // A bucket idle for the whole window has refilled: forgetting it changes nothing.
        self.buckets.lock().expect("limiter lock").retain(|_, (_, at)| now.duration_since(*at) < max_window);
        self.windows.lock().expect("limiter lock").retain(|_, q| {
            prune(q, now, max_window);
            !q.is_empty()
        });
    }
}

fn prune(q: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while q.front().is_some_and(|t| now.duration_since(*t) >= window) {
        q.pop_front();
    }
}

fn retry_after(free_at: Instant, now: Instant) -> u64 {
    free_at.saturating_duration_since(now).as_secs_f64().ceil().max(1.0) as u64
}

pub const MINUTE: Duration = Duration::from_secs(60);
pub const HOUR: Duration = Duration::from_secs(3600);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_limits_and_retry_after() {
        let l = Limiter::default();
        for _ in 0..3 {
            l.hit("k", 3, MINUTE).unwrap();
        }
        let retry = l.hit("k", 3, MINUTE).unwrap_err();
        assert!((59..=60).contains(&retry));
        assert!(l.hit("other", 3, MINUTE).is_ok());
        assert_eq!(l.record("f", HOUR), 1);
        assert_eq!(l.record("f", HOUR), 2);
        assert!(l.check("f", 2, HOUR).is_err());
        l.clear("f");
        assert!(l.check("f", 2, HOUR).is_ok());
    }

    #[test]
    fn buckets_allow_the_burst_then_the_rate() {
        let l = Limiter::default();
        for _ in 0..20 {
            l.take("b", 10.0, 20.0).unwrap();
        }
        let retry = l.take("b", 10.0, 20.0).unwrap_err();
        assert!((5..=6).contains(&retry), "one token every 6 s: {retry}");
        assert!(l.take("c", 10.0, 20.0).is_ok());
    }
}
