//! A breached-password range API for the tests, in Pwned Passwords' format
//! (`GET /range/{5 hex}` answers `SUFFIX:COUNT` lines), whose answer for a
//! password a test chooses over HTTP, so that the same fake serves the dev
//! server (started in the test's process) and the deployed stack (started
//! by scripts/stack as the `range-api` binary). It keeps what it was asked.
//!
//! Every answer but [`Answer::Padding`] lists the password (count 3) if
//! one reads it: a service that fails open answers as if it were not listed,
//! one that waits, follows the redirect or reads the 10 MB body would not.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// How the fake answers for one password's prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Padding lines only (count 0): not breached. The default.
    Padding,
    /// Lists the password among padding: breached.
    Listed,
    /// Lists it after 30 seconds.
    Slow,
    /// Lines that are not `SUFFIX:COUNT` (the suffix without a count, a
    /// count that is no number, binary), and no well-formed listing.
    Garbage,
    /// 10 MB of padding, then the listing.
    Huge,
    /// `302` to a path that would list it.
    Redirect,
    /// `500` whose body lists it.
    Error,
}

/// One request the fake received.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Seen {
    /// The path and query asked for.
    pub path: String,
    /// Whether it carried `Add-Padding: true`.
    pub padding: bool,
    /// Every header, as received (names lowercase).
    pub headers: Vec<(String, String)>,
}

#[derive(Default)]
struct State {
    /// Prefix -> (the answer, the suffix it lists).
    answers: Mutex<HashMap<String, (Answer, String)>>,
    seen: Mutex<Vec<Seen>>,
}

/// Serves the fake on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener) {
    let state = Arc::new(State::default());
    while let Ok((stream, _)) = listener.accept().await {
        let state = state.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| answer(state.clone(), req));
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

async fn answer(state: Arc<State>, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_owned();
    if let Some(prefix) = path.strip_prefix("/_answers/") {
        let prefix = prefix.to_owned();
        let body = req.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
        let (answer, suffix): (Answer, String) = serde_json::from_slice(&body).expect("an answer and a suffix");
        state.answers.lock().unwrap().insert(prefix, (answer, suffix));
        return Ok(text(204, String::new()));
    }
    if path == "/_seen" {
        let seen = state.seen.lock().unwrap().clone();
        return Ok(text(200, serde_json::to_string(&seen).unwrap()));
    }
    let headers = req
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap_or("").to_owned()))
        .collect();
    let padding = req.headers().get("add-padding").is_some_and(|v| v == "true");
    state.seen.lock().unwrap().push(Seen { path: req.uri().to_string(), padding, headers });
    let prefix = path.rsplit('/').next().unwrap_or_default().to_owned();
    let (kind, suffix) =
        state.answers.lock().unwrap().get(&prefix).cloned().unwrap_or((Answer::Padding, String::new()));
    let listed = format!("{}{suffix}:3\r\n", padding_lines(20));
    Ok(match kind {
        Answer::Padding => text(200, padding_lines(800)),
        Answer::Listed => text(200, listed),
        Answer::Slow => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            text(200, listed)
        }
        Answer::Garbage => {
            text(200, format!("{suffix}\r\n{suffix}:many\r\n:7\r\n\u{0}\u{fffd}garbage\r\n{suffix}:-1\r\n<html>"))
        }
        Answer::Huge => text(200, format!("{}{listed}", padding_lines(250_000))),
        Answer::Redirect => {
            let mut response = text(302, String::new());
            response.headers_mut().insert("location", format!("/listed/{prefix}").parse().unwrap());
            response
        }
        Answer::Error => text(500, listed),
    })
}

/// `n` lines of padding (count 0), each 40 bytes as real ones are.
fn padding_lines(n: usize) -> String {
    (0..n).map(|i| format!("{:035X}:0\r\n", i)).collect()
}

fn text(status: u16, body: String) -> Response<Full<Bytes>> {
    Response::builder().status(status).body(Full::new(Bytes::from(body))).unwrap()
}

/// A running fake, as a test talks to it.
#[derive(Clone)]
pub struct RangeApi {
    base: String,
    client: reqwest::Client,
}

impl RangeApi {
    /// The fake at `base` (`http://127.0.0.1:PORT`).
    pub fn at(base: &str) -> Self {
        Self { base: base.trim_end_matches('/').to_owned(), client: reqwest::Client::new() }
    }

    /// Starts a fake in this process.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        tokio::spawn(serve(listener));
        Self::at(&format!("http://{addr}"))
    }

    /// What `ACCOUNTS_BREACHED_PASSWORDS` names.
    pub fn range_url(&self) -> String {
        format!("{}/range/", self.base)
    }

    /// Makes the fake answer `answer` for `password`'s prefix.
    pub async fn answer(&self, password: &str, answer: Answer) {
        let (prefix, suffix) = shared::breach::split_hash(&SecretString::from(password.to_owned()));
        let url = format!("{}/_answers/{prefix}", self.base);
        let response = self.client.put(url).json(&(answer, suffix)).send().await.expect("the range API fake");
        assert_eq!(response.status(), 204);
    }

    /// Every request it received for `password`'s prefix.
    pub async fn seen_for(&self, password: &str) -> Vec<Seen> {
        let (prefix, _) = shared::breach::split_hash(&SecretString::from(password.to_owned()));
        let all: Vec<Seen> =
            self.client.get(format!("{}/_seen", self.base)).send().await.unwrap().json().await.unwrap();
        all.into_iter().filter(|seen| seen.path.ends_with(&prefix)).collect()
    }
}
