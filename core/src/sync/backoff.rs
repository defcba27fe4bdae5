//! How long the sync client waits before retrying: exponential backoff with
//! full jitter. Pure: the randomness comes from the generator passed in.

use std::time::Duration;

use crate::generate::rng::Rng;

/// How often and how patiently the client retries one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all, the first included.
    pub attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 8,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (0 for the first retry): a
    /// uniform draw between zero and `base · 2^retry`, capped at `max_delay`,
    /// so many devices coming back at once spread out.
    pub fn delay(&self, retry: u32, rng: &mut Rng) -> Duration {
        let ceiling = self
            .base_delay
            .saturating_mul(1u32.checked_shl(retry.min(20)).unwrap_or(u32::MAX))
            .min(self.max_delay);
        let micros = ceiling.as_micros() as u64;
        if micros == 0 {
            return Duration::ZERO;
        }
        Duration::from_micros(rng.next_u64() % (micros + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_stay_capped_and_repeat_for_a_seed() {
        let policy = RetryPolicy {
            attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
        };
        let mut rng = Rng::from_seed(7);
        let delays: Vec<Duration> = (0..12).map(|r| policy.delay(r, &mut rng)).collect();
        for (retry, delay) in delays.iter().enumerate() {
            let ceiling = Duration::from_millis(100 << retry.min(20)).min(Duration::from_secs(2));
            assert!(
                *delay <= ceiling,
                "retry {retry}: {delay:?} over {ceiling:?}"
            );
        }
        let mut again = Rng::from_seed(7);
        let repeat: Vec<Duration> = (0..12).map(|r| policy.delay(r, &mut again)).collect();
        assert_eq!(delays, repeat, "the same seed gives the same delays");
        let mut other = Rng::from_seed(8);
        let different: Vec<Duration> = (0..12).map(|r| policy.delay(r, &mut other)).collect();
        assert_ne!(delays, different, "another seed spreads differently");
    }
}
