//! `RetryPolicy`: how often and how long a failed request is tried again (exponential backoff,
//! bounded by a retry count and a total time).

use std::time::Duration;

/// When to give up retrying. Statuses 500/502/503/504 and connection errors are retried for
/// every request; other failures are not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = never retry).
    pub max_retries: u32,
    /// Wait before the first retry.
    pub initial_backoff: Duration,
    /// Upper bound of one wait.
    pub max_backoff: Duration,
    /// Time budget for all attempts and waits together; no retry starts after it.
    pub max_total: Duration,
}

impl Default for RetryPolicy {
    /// 6 retries, 50 ms doubling up to 2 s, at most 20 s in all.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 6,
            initial_backoff: Duration::from_millis(50),
            max_backoff: Duration::from_secs(2),
            max_total: Duration::from_secs(20),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy { max_retries: 0, ..Self::default() }
    }

    /// The wait before retry number `retry` (1-based): `initial · 2^(retry-1)`, capped.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        self.initial_backoff.saturating_mul(factor).min(self.max_backoff)
    }

    /// The wait before retry number `retry`, or `None` when the policy says stop: too many
    /// retries, or the wait would end past the time budget (`elapsed` is the time spent so far).
    pub fn next_wait(&self, retry: u32, elapsed: Duration) -> Option<Duration> {
        if retry > self.max_retries {
            return None;
        }
        let wait = self.backoff(retry);
        if elapsed.saturating_add(wait) > self.max_total {
            return None;
        }
        Some(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let p = RetryPolicy {
            max_retries: 10,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(500),
            max_total: Duration::from_secs(60),
        };
        let waits: Vec<u128> = (1..=5).map(|r| p.backoff(r).as_millis()).collect();
        assert_eq!(waits, vec![100, 200, 400, 500, 500]);
        assert_eq!(p.backoff(100), Duration::from_millis(500), "no overflow");
    }

    #[test]
    fn stops_on_count_and_budget() {
        let p = RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            max_total: Duration::from_millis(250),
        };
        assert_eq!(p.next_wait(1, Duration::ZERO), Some(Duration::from_millis(100)));
        assert_eq!(p.next_wait(2, Duration::from_millis(100)), None, "100+200 > 250");
        assert_eq!(p.next_wait(3, Duration::ZERO), None, "count");
        assert_eq!(RetryPolicy::none().next_wait(1, Duration::ZERO), None);
    }
}
