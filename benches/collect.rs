//! Collector benchmark (not a timed test): collects a generated estate from the fake
//! ARM with a fixed latency per request, and reports the wall time beside the ideal
//! `requests × latency ÷ concurrency`.
//!
//! ```text
//! cargo bench --bench collect                      # 50 services × 100 APIs, 50 ms, concurrency 8
//! cargo bench --bench collect -- --services 5 --apis 20 --latency-ms 20 --concurrency 16
//! ```

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use apimguard::azure::{self, ArmClient, ArmOptions, Cloud, Reporter, StaticToken};
use apimguard::collect::{self, Target};
use support::estate;
use support::fake_arm::{Behaviour, FakeArm};

struct Settings {
    services: usize,
    apis: usize,
    latency: Duration,
    concurrency: usize,
}

fn settings() -> Settings {
    let mut settings = Settings {
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
            _ => {}
        }
    }
    settings
}

fn main() {
    let settings = settings();
    let fake = FakeArm::start(
        estate::generated(settings.services, settings.apis),
        Behaviour {
            token: "bench-token".into(),
            page_size: Some(100),
            latency: settings.latency,
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
    assert_eq!(summary.services, settings.services);
    assert_eq!(summary.apis, settings.services * settings.apis);
    assert_eq!(summary.gaps, 0, "{:?}", collected.snapshot.gaps);
    let served = fake.requests().len() as u64;
    let ideal = settings
        .latency
        .mul_f64(summary.requests as f64 / settings.concurrency as f64);
    println!("collector benchmark");
    println!(
        "  estate       {} services × {} APIs",
        settings.services, settings.apis
    );
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
        ideal.as_secs_f64()
    );
    println!(
        "  ratio        {:.2}× ideal",
        wall.as_secs_f64() / ideal.as_secs_f64()
    );
}
