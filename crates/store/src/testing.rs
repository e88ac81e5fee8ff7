//! Helpers for test harnesses (not part of the stable API).
