//! Drives the whole sign-up walk against a running `accounts-dev`, many
//! customers at once, then checks that nothing was lost: every account that
//! was answered `201` exists, is active and can sign in.
//!
//! Each customer speaks from its own loopback address (127.x.y.z), as real
//! customers come from their own IPs, so per-IP limits apply per customer.
//!
//! Usage: `loadgen BASE_URL OPS_TOKEN [CUSTOMERS] [CONCURRENCY] [RUN_TAG]`

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::{Mutex, Semaphore};

const PASSWORD: &str = "Gpu#Cl0ud-load9";

type Timings = Arc<Mutex<BTreeMap<&'static str, Vec<Duration>>>>;

struct Walker {
    http: reqwest::Client,
    base: String,
    timings: Timings,
}

impl Walker {
    async fn timed(&self, step: &'static str, req: reqwest::RequestBuilder, expect: u16) -> Result<Value, String> {
        let started = Instant::now();
        let response = req.send().await.map_err(|e| format!("{step}: {e}"))?;
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        let elapsed = started.elapsed();
        if status != expect {
            return Err(format!("{step}: {status} {body}"));
        }
        self.timings.lock().await.entry(step).or_default().push(elapsed);
        Ok(body)
    }

    async fn latest_message_to(&self, to: &str) -> Result<String, String> {
        // Our recipients hold no characters to escape in a query but the `+`.
        let url = format!("{}/_dev/outbox?to={}", self.base, to.replace('+', "%2B"));
        let entries: Value =
            self.http.get(url).send().await.map_err(|e| e.to_string())?.json().await.map_err(|e| e.to_string())?;
        let last = entries.as_array().and_then(|a| a.last()).ok_or(format!("no message to {to}"))?;
        Ok(last["text"].as_str().unwrap_or_default().to_owned())
    }

    async fn walk(&self, username: &str, phone: &str) -> Result<(), String> {
        let b = &self.base;
        let email = format!("{username}@example.com");
        self.timed(
            "POST /v1/sms-codes",
            self.http.post(format!("{b}/v1/sms-codes")).json(&json!({"phone": phone, "purpose": "sign_up"})),
            202,
        )
        .await?;
        let sms = self.latest_message_to(phone).await?;
        let code = sms.split(|c: char| !c.is_ascii_digit()).find(|run| run.len() == 6).ok_or("no code")?;
        let body =
            json!({"username": username, "email": email, "phone": phone, "sms_code": code, "accept_terms": true});
        self.timed("POST /v1/accounts", self.http.post(format!("{b}/v1/accounts")).json(&body), 201).await?;
        let invitation = self.latest_message_to(&email).await?;
        let token = invitation.split("token=").nth(1).and_then(|t| t.split_whitespace().next()).ok_or("no link")?;
        let body = json!({"token": token, "password": PASSWORD, "phone": phone});
        self.timed("POST /v1/password/set", self.http.post(format!("{b}/v1/password/set")).json(&body), 204).await?;
        let body = json!({"login": username, "password": PASSWORD});
        let session =
            self.timed("POST /v1/sessions", self.http.post(format!("{b}/v1/sessions")).json(&body), 201).await?;
        let token = session["token"].as_str().ok_or("no session token")?;
        self.timed("GET /v1/me", self.http.get(format!("{b}/v1/me")).bearer_auth(token), 200).await?;
        Ok(())
    }
}

/// The i-th customer's own loopback address: 127.1.0.1, 127.1.0.2, …
fn source_address(i: u32) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(0x7f01_0001 + i))
}

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() as f64 * q) as usize).min(sorted.len() - 1)]
}

/// After the load: every answered account is active (seen by an operator).
async fn lost_accounts(base: &str, ops_token: &str, usernames: &[String]) -> Vec<String> {
    let http = reqwest::Client::new();
    let mut lost = Vec::new();
    for username in usernames {
        let response = http.get(format!("{base}/ops/v1/accounts/{username}")).bearer_auth(ops_token).send().await;
        let active = match response {
            Ok(r) if r.status() == 200 => r.json::<Value>().await.is_ok_and(|v| v["status"] == "active"),
            _ => false,
        };
        if !active {
            lost.push(username.clone());
        }
    }
    lost
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: loadgen BASE_URL OPS_TOKEN [CUSTOMERS] [CONCURRENCY] [RUN_TAG]");
        std::process::exit(2);
    }
    let base = args[1].trim_end_matches('/').to_owned();
    let ops_token = args[2].clone();
    let customers: u32 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1_000);
    let concurrency: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(32);
    let tag: u32 = args.get(5).and_then(|s| s.parse().ok()).unwrap_or(0);

    let timings: Timings = Arc::default();
    let permits = Arc::new(Semaphore::new(concurrency));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..customers {
        let permit = permits.clone().acquire_owned().await.expect("open semaphore");
        let http = reqwest::Client::builder().local_address(source_address(i)).build().expect("http client");
        let walker = Walker { http, base: base.clone(), timings: timings.clone() };
        let (username, phone) = (format!("load{tag}x{i}"), format!("+86139{tag:02}{i:06}"));
        tasks.spawn(async move {
            let result = walker.walk(&username, &phone).await;
            drop(permit);
            result.map(|()| username)
        });
    }
    let mut signed_up = Vec::new();
    let mut failures = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined.expect("walkers do not panic") {
            Ok(username) => signed_up.push(username),
            Err(e) => failures.push(e),
        }
    }
    let elapsed = started.elapsed();

    println!("customers: {customers}, concurrency: {concurrency}, wall: {:.1} s", elapsed.as_secs_f64());
    println!("completed walks: {} ({:.1} walks/s)", signed_up.len(), signed_up.len() as f64 / elapsed.as_secs_f64());
    println!("\n| step | requests | p50 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|");
    let mut total = 0;
    for (step, times) in timings.lock().await.iter_mut() {
        times.sort();
        total += times.len();
        let ms = |d: Duration| format!("{:.1}", d.as_secs_f64() * 1e3);
        let (p50, p99) = (percentile(times, 0.5), percentile(times, 0.99));
        println!("| `{step}` | {} | {} | {} | {} |", times.len(), ms(p50), ms(p99), ms(*times.last().unwrap()));
    }
    println!("\nrequests: {total} ({:.0} req/s, outbox reads not counted)", total as f64 / elapsed.as_secs_f64());
    for failure in failures.iter().take(5) {
        println!("failed: {failure}");
    }
    let lost = lost_accounts(&base, &ops_token, &signed_up).await;
    println!("errors: {}, lost accounts: {}", failures.len(), lost.len());
    if !failures.is_empty() || !lost.is_empty() {
        std::process::exit(1);
    }
}
