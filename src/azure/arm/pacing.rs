//! Pacing reads to ARM's throttling budgets, before a 429 happens.
//!
//! ARM meters reads with a token bucket per principal and subscription (and one per
//! tenant for requests outside a subscription), and says on every answer how many
//! reads are left (`x-ms-ratelimit-remaining-subscription-reads`, `…-subscription-global-reads`,
//! `…-tenant-reads`). The pacer keeps a mirror of each bucket, keyed by the
//! subscription in the request's path:
//!
//! - its level is the last remaining count ARM reported, less the requests sent since
//!   (and those still in flight), plus the refill estimated since;
//! - the refill rate is measured from the reported counts over time (ARM does not say
//!   it), only while the bucket is low, where it matters;
//! - a request goes when the mirror holds a token beyond a small reserve, and waits
//!   otherwise; a 429 pauses every request of its subscription for its `Retry-After`
//!   (the bucket is empty: the others would be refused too).
//!
//! A subscription that waits holds no permit of the run's `--concurrency` (admission
//! comes first), so the other subscriptions' budgets are used meanwhile: the work
//! spreads over subscriptions by itself.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use reqwest::Url;
use tokio::sync::Notify;

/// The headers that report the reads left in one of ARM's buckets; the smallest
/// present counts.
const REMAINING_READS: [&str; 3] = [
    "x-ms-ratelimit-remaining-subscription-reads",
    "x-ms-ratelimit-remaining-subscription-global-reads",
    "x-ms-ratelimit-remaining-tenant-reads",
];

/// Tokens left untouched in each bucket, for answers counted out of order and for
/// other clients of the same principal.
const RESERVE: f64 = 2.0;

/// How long a bucket with no known refill rate waits, with nothing in flight, before
/// one request goes to see how it refilled.
const PROBE: Duration = Duration::from_millis(250);

/// Shortest span over which a refill rate is measured (shorter ones are noise).
const MEASURE_OVER: Duration = Duration::from_millis(500);

/// The pause after a 429 that gives no `Retry-After`.
const DEFAULT_PAUSE: Duration = Duration::from_secs(1);

/// The mirrors of ARM's read buckets, one per subscription (and one for the tenant).
#[derive(Default)]
pub(super) struct Pacer {
    buckets: Mutex<HashMap<String, Arc<Shared>>>,
}

/// One bucket's mirror and the requests waiting on it.
#[derive(Default)]
struct Shared {
    mirror: Mutex<Mirror>,
    changed: Notify,
}

/// A request admitted by the pacer; report its answer with [`Pass::answered`] (dropped
/// unanswered, it only frees its place).
pub(super) struct Pass {
    shared: Arc<Shared>,
    open: bool,
}

impl Pacer {
    /// Waits until the budget of `url`'s subscription allows one more read.
    pub(super) async fn admit(&self, url: &Url) -> Pass {
        let shared = {
            let mut buckets = self.buckets.lock().expect("pacer lock");
            buckets.entry(budget_key(url)).or_default().clone()
        };
        loop {
            let notified = shared.changed.notified();
            let decision = shared
                .mirror
                .lock()
                .expect("pacer lock")
                .admit(Instant::now());
            match decision {
                Decision::Go => {
                    drop(notified);
                    return Pass { shared, open: true };
                }
                Decision::Wait(wait) => tokio::time::sleep(wait).await,
                Decision::WaitForAnswer(most) => {
                    tokio::select! {
                        _ = notified => {}
                        _ = tokio::time::sleep(most) => {}
                    }
                }
            }
        }
    }
}

impl Pass {
    /// Records ARM's answer: the reads it says are left, or (429) the pause it asks for.
    pub(super) fn answered(
        mut self,
        status: u16,
        headers: &HeaderMap,
        retry_after: Option<Duration>,
    ) {
        self.open = false;
        let mut mirror = self.shared.mirror.lock().expect("pacer lock");
        let now = Instant::now();
        if status == 429 {
            mirror.throttled(now, retry_after.unwrap_or(DEFAULT_PAUSE));
        } else {
            mirror.answered(now, remaining_reads(headers));
        }
        drop(mirror);
        self.shared.changed.notify_waiters();
    }
}

impl Drop for Pass {
    fn drop(&mut self) {
        if self.open {
            self.shared.mirror.lock().expect("pacer lock").abandoned();
            self.shared.changed.notify_waiters();
        }
    }
}

/// What a request does now.
#[derive(Debug, PartialEq)]
enum Decision {
    /// Send.
    Go,
    /// Wait this long, then ask again.
    Wait(Duration),
    /// Wait for an answer in flight, at most this long, then ask again.
    WaitForAnswer(Duration),
}

/// A client-side mirror of one ARM token bucket.
#[derive(Debug, Default)]
struct Mirror {
    /// Tokens left at `at` (as ARM last said, less what was sent since); `None` until
    /// an answer says.
    level: Option<f64>,
    /// When `level` was right.
    at: Option<Instant>,
    /// The refill rate measured, tokens per second.
    rate: Option<f64>,
    /// The highest count ARM reported (the bucket's size, as far as we know).
    capacity: f64,
    /// Requests sent and not answered.
    in_flight: u32,
    /// No request before then (after a 429).
    paused_until: Option<Instant>,
    /// When the last answer came.
    last_answer: Option<Instant>,
    /// Start of the current rate measurement: when, the count reported, answers so far.
    anchor: Option<(Instant, f64, u64)>,
    /// Answers ARM counted (not 429s).
    answers: u64,
}

impl Mirror {
    /// The level at `now`, refilled at the measured rate up to the known size.
    fn level_at(&self, now: Instant) -> Option<f64> {
        let (level, at) = (self.level?, self.at?);
        let refill = self.rate.unwrap_or(0.0) * now.saturating_duration_since(at).as_secs_f64();
        Some((level + refill).min(self.capacity.max(level)))
    }

    fn admit(&mut self, now: Instant) -> Decision {
        if let Some(until) = self.paused_until {
            if until > now {
                return Decision::Wait(until - now);
            }
            self.paused_until = None;
        }
        let Some(level) = self.level_at(now) else {
            // Nothing known yet: ARM's buckets start full.
            return self.go();
        };
        if level >= 1.0 + RESERVE {
            self.level = Some(level - 1.0);
            self.at = Some(now);
            return self.go();
        }
        match self.rate {
            Some(rate) if rate > 0.0 => {
                Decision::Wait(Duration::from_secs_f64((1.0 + RESERVE - level) / rate))
            }
            _ if self.in_flight > 0 => Decision::WaitForAnswer(PROBE),
            _ => {
                let since = self
                    .last_answer
                    .map_or(PROBE, |last| now.saturating_duration_since(last));
                if since >= PROBE {
                    self.go()
                } else {
                    Decision::Wait(PROBE - since)
                }
            }
        }
    }

    fn go(&mut self) -> Decision {
        self.in_flight += 1;
        Decision::Go
    }

    /// An answer ARM counted, reporting `remaining` reads (if it said).
    fn answered(&mut self, now: Instant, remaining: Option<f64>) {
        self.in_flight = self.in_flight.saturating_sub(1);
        self.answers += 1;
        self.last_answer = Some(now);
        let Some(remaining) = remaining else {
            return;
        };
        self.capacity = self.capacity.max(remaining);
        self.measure(now, remaining);
        // The others in flight may not be counted in `remaining` yet: assume they are not.
        self.level = Some(remaining - f64::from(self.in_flight));
        self.at = Some(now);
    }

    /// Updates the refill rate from the reports since the anchor, while the bucket is low.
    fn measure(&mut self, now: Instant, remaining: f64) {
        let low = |count: f64| count <= self.capacity / 2.0;
        match self.anchor {
            Some((then, was, answers_then)) if low(was) && low(remaining) => {
                let span = now.saturating_duration_since(then);
                if span < MEASURE_OVER {
                    return;
                }
                let used = (self.answers - answers_then) as f64;
                let sample = ((remaining - was + used) / span.as_secs_f64()).max(0.1);
                self.rate = Some(match self.rate {
                    Some(rate) => (rate + sample) / 2.0,
                    None => sample,
                });
            }
            _ if !low(remaining) => {
                self.anchor = None;
                return;
            }
            _ => {}
        }
        self.anchor = Some((now, remaining, self.answers));
    }

    /// A 429: the bucket is empty; nothing goes before `pause` has passed.
    fn throttled(&mut self, now: Instant, pause: Duration) {
        self.in_flight = self.in_flight.saturating_sub(1);
        self.last_answer = Some(now);
        self.level = Some(0.0);
        self.at = Some(now + pause);
        self.rate = self.rate.map(|rate| rate * 0.8);
        let until = now + pause;
        self.paused_until = Some(self.paused_until.map_or(until, |u| u.max(until)));
    }

    /// A request that got no answer (transport failure, cancelled).
    fn abandoned(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
    }
}

/// The bucket a request draws on: its subscription (lower-cased), or the tenant's
/// (the empty key) for paths outside a subscription.
fn budget_key(url: &Url) -> String {
    let mut segments = url.path_segments().into_iter().flatten();
    while let Some(segment) = segments.next() {
        if segment.eq_ignore_ascii_case("subscriptions") {
            return segments.next().unwrap_or_default().to_ascii_lowercase();
        }
    }
    String::new()
}

/// The fewest reads left that any of ARM's remaining-reads headers reports.
fn remaining_reads(headers: &HeaderMap) -> Option<f64> {
    REMAINING_READS
        .iter()
        .filter_map(|name| {
            headers
                .get(*name)?
                .to_str()
                .ok()?
                .trim()
                .parse::<u64>()
                .ok()
        })
        .min()
        .map(|n| n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn at(start: Instant, ms: u64) -> Instant {
        start + Duration::from_millis(ms)
    }

    #[test]
    fn requests_are_keyed_by_the_subscription_in_their_path() {
        let key = |u: &str| budget_key(&Url::parse(u).unwrap());
        assert_eq!(
            key("https://arm.local/subscriptions/AB-1/resourceGroups/rg?api-version=1"),
            "ab-1"
        );
        assert_eq!(key("https://arm.local/stack/subscriptions/ab-1"), "ab-1");
        assert_eq!(key("https://arm.local/subscriptions?api-version=1"), "");
        assert_eq!(
            key("https://arm.local/providers/Microsoft.ResourceGraph/resources"),
            ""
        );
    }

    #[test]
    fn the_smallest_remaining_count_counts() {
        let mut headers = HeaderMap::new();
        assert_eq!(remaining_reads(&headers), None);
        headers.insert(REMAINING_READS[0], HeaderValue::from_static("11"));
        headers.insert(REMAINING_READS[1], HeaderValue::from_static("7"));
        assert_eq!(remaining_reads(&headers), Some(7.0));
        headers.insert(REMAINING_READS[1], HeaderValue::from_static("many"));
        assert_eq!(remaining_reads(&headers), Some(11.0), "garbage is ignored");
    }

    #[test]
    fn a_fresh_bucket_lets_requests_go() {
        let mut mirror = Mirror::default();
        let now = Instant::now();
        for _ in 0..5 {
            assert_eq!(mirror.admit(now), Decision::Go);
        }
        assert_eq!(mirror.in_flight, 5);
    }

    #[test]
    fn a_low_count_holds_requests_before_arm_refuses_them() {
        let start = Instant::now();
        let mut mirror = Mirror::default();
        assert_eq!(mirror.admit(start), Decision::Go);
        mirror.answered(at(start, 10), Some(5.0));
        // 5 left, a reserve of 2: three more go, the fourth waits for an answer.
        for _ in 0..3 {
            assert_eq!(mirror.admit(at(start, 10)), Decision::Go);
        }
        assert_eq!(mirror.admit(at(start, 10)), Decision::WaitForAnswer(PROBE));
        // The answers say the bucket is spent; nothing in flight and no rate known:
        // one request probes once PROBE has passed since the last answer.
        for left in [4.0, 3.0, 2.0] {
            mirror.answered(at(start, 20), Some(left));
        }
        assert_eq!(mirror.admit(at(start, 20)), Decision::Wait(PROBE),);
        assert_eq!(mirror.admit(at(start, 20) + PROBE), Decision::Go);
    }

    #[test]
    fn the_refill_rate_is_measured_while_the_bucket_is_low_and_paces_requests() {
        let start = Instant::now();
        let mut mirror = Mirror {
            capacity: 40.0,
            in_flight: 3,
            ..Mirror::default()
        };
        mirror.answered(start, Some(2.0));
        // One second on, 10 answers later, ARM says 12 are left: 20 refilled a second.
        mirror.answers += 9;
        mirror.answered(at(start, 1000), Some(12.0));
        assert_eq!(mirror.rate, Some(20.0));
        // Spend down to the reserve, then requests wait one refill step each.
        mirror.in_flight = 0;
        mirror.level = Some(RESERVE);
        mirror.at = Some(at(start, 1000));
        match mirror.admit(at(start, 1000)) {
            Decision::Wait(wait) => assert_eq!(wait.as_millis(), 50, "{wait:?}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(mirror.admit(at(start, 1060)), Decision::Go);
    }

    #[test]
    fn a_full_bucket_teaches_nothing_about_the_rate() {
        let start = Instant::now();
        let mut mirror = Mirror {
            in_flight: 2,
            ..Mirror::default()
        };
        mirror.answered(start, Some(250.0));
        mirror.answered(at(start, 2000), Some(249.0));
        assert_eq!(mirror.rate, None);
    }

    #[test]
    fn a_429_pauses_the_whole_subscription_for_its_retry_after() {
        let start = Instant::now();
        let mut mirror = Mirror::default();
        assert_eq!(mirror.admit(start), Decision::Go);
        mirror.throttled(start, Duration::from_secs(2));
        assert_eq!(mirror.admit(start), Decision::Wait(Duration::from_secs(2)));
        assert_eq!(
            mirror.admit(at(start, 1500)),
            Decision::Wait(Duration::from_millis(500))
        );
        // After the pause the bucket is taken as empty: one request probes.
        assert_eq!(mirror.admit(at(start, 2000)), Decision::Go);
        assert_eq!(mirror.in_flight, 1);
    }

    #[test]
    fn an_unanswered_request_frees_its_place() {
        let mut mirror = Mirror::default();
        assert_eq!(mirror.admit(Instant::now()), Decision::Go);
        mirror.abandoned();
        assert_eq!(mirror.in_flight, 0);
    }
}
