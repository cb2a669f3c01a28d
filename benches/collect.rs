//! Collector benchmark (not a timed test): collects a generated estate from the fake
//! ARM with a fixed latency per request, and reports the wall time beside the ideal
//! `requests × latency ÷ concurrency`.
//!
//! With `--throttle-burst` and `--throttle-refill` the fake throttles like ARM, with a
//! token bucket per subscription, and the ideal is also what that budget allows: the
//! reads of the busiest subscription beyond its burst, at the refill rate.
//! `--subscriptions N` spreads the estate over N subscriptions (`--services` and
//! `--apis` are per subscription).
//!
//! ```text
//! cargo bench --bench collect                      # 50 services × 100 APIs, 50 ms, concurrency 8
//! cargo bench --bench collect -- --services 5 --apis 20 --latency-ms 20 --concurrency 16
//! cargo bench --bench collect -- --subscriptions 4 --services 1 --apis 60 --latency-ms 20 \
//!     --throttle-burst 40 --throttle-refill 20      # issue 15's throttled scenario
//! ```

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use apimguard::azure::{self, ArmClient, ArmOptions, Cloud, Reporter, StaticToken};
use apimguard::collect::{self, Target};
use support::fake_arm::{Behaviour, FakeArm, Logged};
use support::throttle::Throttle;
use support::{estate, tenant};

struct Settings {
    subscriptions: usize,
    services: usize,
    apis: usize,
    latency: Duration,
    concurrency: usize,
    burst: Option<u32>,
    refill: Option<f64>,
}

fn settings() -> Settings {
    let mut settings = Settings {
        subscriptions: 1,
        burst: None,
        refill: None,
        services: 50,
        apis: 100,
        latency: Duration::from_millis(50),
        concurrency: 8,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.windows(2) {
        let number = || {
            pair[1]
                .parse::<usize>()
                .unwrap_or_else(|_| panic!("{} needs a number", pair[0]))
        };
        match pair[0].as_str() {
            "--services" => settings.services = number(),
            "--apis" => settings.apis = number(),
            "--latency-ms" => settings.latency = Duration::from_millis(number() as u64),
            "--concurrency" => settings.concurrency = number(),
            "--subscriptions" => settings.subscriptions = number().max(1),
            "--throttle-burst" => settings.burst = Some(number() as u32),
            "--throttle-refill" => settings.refill = Some(number() as f64),
            _ => {}
        }
    }
    settings
}

fn main() {
    let settings = settings();
    let throttle = match (settings.burst, settings.refill) {
        (None, None) => None,
        (burst, refill) => Some(Throttle {
            burst: burst.unwrap_or(250),
            refill_per_second: refill.unwrap_or(25.0),
        }),
    };
    let estate = match settings.subscriptions {
        1 => estate::generated(settings.services, settings.apis),
        n => tenant::tenant(n, settings.services, settings.apis),
    };
    let fake = FakeArm::start(
        estate,
        Behaviour {
            token: "bench-token".into(),
            page_size: Some(100),
            latency: settings.latency,
            throttle,
            ..Behaviour::default()
        },
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let started = Instant::now();
    let collected = runtime.block_on(async {
        let client = ArmClient::new(
            azure::http::client().expect("HTTP client"),
            Arc::new(StaticToken::new("bench-token")),
            ArmOptions {
                endpoint: fake.url.parse().expect("URL"),
                concurrency: settings.concurrency,
                timeout: Duration::from_secs(30),
                max_retries: 3,
                backoff: Duration::from_millis(500),
                min_poll_wait: Duration::from_secs(1),
                limits: azure::arm::Limits::default(),
            },
            Arc::new(Reporter::silent()),
        );
        collect::collect(
            &client,
            Cloud::Public,
            &Target::default(),
            &Reporter::silent(),
        )
        .await
        .expect("collected")
    });
    let wall = started.elapsed();
    let summary = &collected.summary;
    let log = fake.requests();
    let served = log.len() as u64;
    let refused = log.iter().filter(|r| r.status == 429).count();
    let latency_ideal = settings
        .latency
        .mul_f64(summary.requests as f64 / settings.concurrency as f64);
    let budget_ideal = throttle.map(|t| budget_ideal(&log, t));
    let ideal = budget_ideal.map_or(latency_ideal, |b| b.max(latency_ideal));
    println!("collector benchmark");
    println!(
        "  estate       {} subscription(s) × {} services × {} APIs",
        settings.subscriptions, settings.services, settings.apis
    );
    if let Some(t) = throttle {
        println!(
            "  throttle     burst {} and {}/s per subscription; {refused} answers 429",
            t.burst, t.refill_per_second
        );
    }
    println!(
        "  latency      {} ms per request",
        settings.latency.as_millis()
    );
    println!("  concurrency  {}", settings.concurrency);
    println!(
        "  requests     {} ({} served, {} retries)",
        summary.requests, served, summary.retries
    );
    println!("  wall time    {:.1} s", wall.as_secs_f64());
    println!(
        "  ideal        {:.1} s (requests × latency ÷ concurrency)",
        latency_ideal.as_secs_f64()
    );
    if let Some(budget) = budget_ideal {
        println!(
            "  budget       {:.1} s (the busiest subscription's reads beyond its burst ÷ refill)",
            budget.as_secs_f64()
        );
    }
    println!(
        "  ratio        {:.2}× ideal",
        wall.as_secs_f64() / ideal.as_secs_f64()
    );
    println!("  gaps         {}", summary.gaps);
    let subscriptions = settings.subscriptions;
    assert_eq!(summary.services, subscriptions * settings.services);
    assert_eq!(
        summary.apis,
        subscriptions * settings.services * settings.apis
    );
    assert_eq!(summary.gaps, 0, "{:?}", collected.snapshot.gaps);
}

/// The least time `throttle` allows for the reads served: per bucket (subscription, or
/// the tenant's), the reads beyond the burst at the refill rate; the busiest bucket's.
fn budget_ideal(log: &[Logged], throttle: Throttle) -> Duration {
    let mut per_bucket: std::collections::HashMap<String, u64> = Default::default();
    for request in log.iter().filter(|r| r.status != 429) {
        let lower = request.path.to_ascii_lowercase();
        let bucket = lower
            .strip_prefix("/subscriptions/")
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_default()
            .to_string();
        *per_bucket.entry(bucket).or_default() += 1;
    }
    let busiest = per_bucket.values().copied().max().unwrap_or(0);
    let beyond = busiest.saturating_sub(u64::from(throttle.burst));
    Duration::from_secs_f64(beyond as f64 / throttle.refill_per_second)
}
