//! ARM's read throttling for the fake ARM: a token bucket per subscription (and one for
//! requests outside a subscription, the tenant's), as ARM meters reads per principal and
//! subscription. A request that finds its bucket empty is answered 429 with
//! `Retry-After` (whole seconds, as ARM sends it) and is not counted; every other
//! answer says how many reads are left (`x-ms-ratelimit-remaining-subscription-reads`,
//! or `…-tenant-reads`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The bucket of each subscription.
#[derive(Debug, Clone, Copy)]
pub struct Throttle {
    /// Tokens a full bucket holds (the burst).
    pub burst: u32,
    /// Tokens added per second.
    pub refill_per_second: f64,
}

/// The buckets of a running fake.
#[derive(Debug)]
pub(super) struct Buckets {
    throttle: Throttle,
    levels: Mutex<HashMap<String, (f64, Instant)>>,
}

/// What the bucket of a request said.
pub(super) enum Metered {
    /// Served: this header and the reads left.
    Served(&'static str, u64),
    /// Refused: retry after this many whole seconds.
    Refused(u64),
}

impl Buckets {
    pub(super) fn new(throttle: Throttle) -> Self {
        Self {
            throttle,
            levels: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token from the bucket of `path` (the subscription in it, or the tenant).
    pub(super) fn take(&self, path: &str) -> Metered {
        let key = subscription_of(path);
        let header = if key.is_empty() {
            "x-ms-ratelimit-remaining-tenant-reads"
        } else {
            "x-ms-ratelimit-remaining-subscription-reads"
        };
        let burst = f64::from(self.throttle.burst);
        let rate = self.throttle.refill_per_second;
        let now = Instant::now();
        let mut levels = self.levels.lock().unwrap();
        let (level, at) = levels.entry(key).or_insert((burst, now));
        *level = (*level + rate * now.duration_since(*at).as_secs_f64()).min(burst);
        *at = now;
        if *level >= 1.0 {
            *level -= 1.0;
            Metered::Served(header, *level as u64)
        } else {
            let wait = Duration::from_secs_f64((1.0 - *level) / rate);
            Metered::Refused(wait.as_secs_f64().ceil().max(1.0) as u64)
        }
    }
}

/// The subscription id in an ARM path (lower-cased), or empty outside a subscription.
fn subscription_of(path: &str) -> String {
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    while let Some(segment) = segments.next() {
        if segment.eq_ignore_ascii_case("subscriptions") {
            return segments.next().unwrap_or_default().to_ascii_lowercase();
        }
    }
    String::new()
}
