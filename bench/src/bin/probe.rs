//! Reads one URL at a fixed rate and reports the latency of every answer,
//! each measured from the moment its request was due (so a stalled server
//! is not hidden by the probe waiting for it: no coordinated omission).
//! `bench/peers.py` runs it beside a sign-in storm.
//!
//! Usage: `probe URL BEARER_TOKEN RATE_PER_SECOND SECONDS`
//! Prints: `requests N errors E p50_ms X p99_ms Y max_ms Z`.

use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, token, rate, seconds] = args.as_slice() else {
        eprintln!("usage: probe URL BEARER_TOKEN RATE_PER_SECOND SECONDS");
        std::process::exit(2);
    };
    let rate: u32 = rate.parse().expect("a rate");
    let total = rate * seconds.parse::<u32>().expect("seconds");
    let http = reqwest::Client::new();
    let interval = Duration::from_secs(1) / rate;
    let start = Instant::now();
    let mut probes = Vec::with_capacity(total as usize);
    for i in 0..total {
        let due = start + interval * i;
        tokio::time::sleep_until(due.into()).await;
        let request = http.get(url).bearer_auth(token).send();
        probes.push(tokio::spawn(async move {
            let ok = matches!(request.await, Ok(r) if r.status().is_success());
            (ok, due.elapsed())
        }));
    }
    let mut latencies = Vec::with_capacity(probes.len());
    let mut errors = 0;
    for probe in probes {
        let (ok, latency) = probe.await.expect("a probe task");
        errors += usize::from(!ok);
        latencies.push(latency.as_secs_f64() * 1e3);
    }
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    println!(
        "requests {} errors {errors} p50_ms {:.2} p99_ms {:.2} max_ms {:.2}",
        latencies.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
}
