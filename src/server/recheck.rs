//! [`RecheckClock`]: when a data node compares a clean cached object or chunk with storage
//! again. Each is rechecked once `storage_recheck_interval` has passed since its last check,
//! and at once after [`RecheckClock::recheck_all`] (a client's `H5*refresh` or `H5Fopen`,
//! which asks to see what other services wrote, at once).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The interval and the last "recheck everything" time of one node.
#[derive(Debug)]
pub struct RecheckClock {
    interval: Duration,
    base: Instant,
    /// Nanoseconds after `base` before which every check is stale (0: none).
    stale_before: AtomicU64,
}

impl RecheckClock {
    /// A clock rechecking after `interval`.
    #[must_use]
    pub fn new(interval: Duration) -> RecheckClock {
        RecheckClock { interval, base: Instant::now(), stale_before: AtomicU64::new(0) }
    }

    fn nanos_since_base(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.base).as_nanos()).unwrap_or(u64::MAX)
    }

    /// Whether something last checked at `checked_at` (never: `None`) must be checked now.
    #[must_use]
    pub fn is_due(&self, checked_at: Option<Instant>) -> bool {
        let Some(at) = checked_at else { return true };
        if at.elapsed() >= self.interval {
            return true;
        }
        let stale_before = self.stale_before.load(Ordering::Acquire);
        stale_before != 0 && self.nanos_since_base(at) <= stale_before
    }

    /// Makes every check made until now stale.
    pub fn recheck_all(&self) {
        let now = self.nanos_since_base(Instant::now()).max(1);
        self.stale_before.fetch_max(now, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_go_stale_after_the_interval_or_a_recheck_all() {
        let clock = RecheckClock::new(Duration::from_secs(3600));
        assert!(clock.is_due(None));
        let checked = Instant::now();
        assert!(!clock.is_due(Some(checked)));
        clock.recheck_all();
        assert!(clock.is_due(Some(checked)), "checked before the recheck-all");
        std::thread::sleep(Duration::from_millis(2));
        assert!(!clock.is_due(Some(Instant::now())), "checked after it");
        let hasty = RecheckClock::new(Duration::ZERO);
        assert!(hasty.is_due(Some(Instant::now())));
    }
}
