//! Retry delays after failed syncs: exponential, capped, with jitter.
//!
//! Jitter matters because failures are correlated: when the server restarts, every phone of the
//! company fails at the same moment, and without jitter they would all come back in lockstep.
//! Each delay is drawn uniformly from the upper half of the exponential step ("equal jitter"),
//! so a retry is never much sooner than the schedule promises and never later than the cap.

use std::time::Duration;

use rand::Rng;

/// The retry schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
}

impl Backoff {
    /// The delay before retry number `attempt` (1 = after the first failure).
    pub fn delay(&self, attempt: u32, rng: &mut impl Rng) -> Duration {
        let step = self.step(attempt);
        let half = step / 2;
        let spread = (step - half).as_millis() as u64;
        half + Duration::from_millis(rng.gen_range(0..=spread))
    }

    /// The un-jittered delay for `attempt`: `initial * 2^(attempt-1)`, at most `max`.
    pub fn step(&self, attempt: u32) -> Duration {
        let factor = 1u32 << attempt.saturating_sub(1).min(20);
        self.initial.saturating_mul(factor).min(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    const B: Backoff = Backoff {
        initial: Duration::from_secs(1),
        max: Duration::from_secs(300),
    };

    #[test]
    fn delays_double_until_the_cap() {
        assert_eq!(B.step(1), Duration::from_secs(1));
        assert_eq!(B.step(2), Duration::from_secs(2));
        assert_eq!(B.step(5), Duration::from_secs(16));
        assert_eq!(B.step(40), Duration::from_secs(300));
    }

    #[test]
    fn jittered_delays_stay_in_the_upper_half_of_the_step_and_differ() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let delays: Vec<Duration> = (0..50).map(|_| B.delay(4, &mut rng)).collect();
        for d in &delays {
            assert!(
                *d >= Duration::from_secs(4) && *d <= Duration::from_secs(8),
                "{d:?}"
            );
        }
        assert!(delays.windows(2).any(|w| w[0] != w[1]), "no jitter");
    }
}
