//! argon2id in process, as the service hashes, for `bench/argon2_peers.py`:
//! hashes the password read from stdin RUNS times and prints, per line, the
//! implementation, the hex of the raw hash and the milliseconds of each run.
//!
//! Three ways, each at the given parameters:
//! - `argon2-0.5`: the crate and version the service links, with its working
//!   memory kept between hashes (`hash_password_into_with_memory`), as
//!   `shared::domain::password_hash` keeps one buffer per permit;
//! - `argon2-0.5-fresh`: the same, allocating the memory each time (what a
//!   caller of `hash_password_into` pays);
//! - `argon2-0.6`: the next release, memory kept between hashes.
//!
//! Usage: `argon2-hash SALT T KIB P RUNS < password`

use std::io::Read;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, salt, t, kib, p, runs] = args.as_slice() else {
        eprintln!("usage: argon2-hash SALT T KIB P RUNS < password");
        std::process::exit(2);
    };
    let number = |s: &str| s.parse::<u32>().expect("a number");
    let (t, kib, p, runs) = (number(t), number(kib), number(p), number(runs));
    let mut password = Vec::new();
    std::io::stdin().read_to_end(&mut password).expect("stdin");
    let salt = salt.as_bytes();

    let current = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(kib, t, p, Some(32)).expect("valid argon2 parameters"),
    );
    let mut memory = vec![argon2::Block::default(); kib as usize];
    report("argon2-0.5", runs, |out| {
        current.hash_password_into_with_memory(&password, salt, out, &mut memory).expect("hashing")
    });
    report("argon2-0.5-fresh", runs, |out| current.hash_password_into(&password, salt, out).expect("hashing"));

    let next = argon2_06::Argon2::new(
        argon2_06::Algorithm::Argon2id,
        argon2_06::Version::V0x13,
        argon2_06::Params::new(kib, t, p, Some(32)).expect("valid argon2 parameters"),
    );
    let mut memory = vec![argon2_06::Block::default(); kib as usize];
    report("argon2-0.6", runs, |out| {
        next.hash_password_into_with_memory(&password, salt, out, &mut memory).expect("hashing")
    });
}

/// Runs `hash` `runs` times and prints the last output and every run's time.
fn report(name: &str, runs: u32, mut hash: impl FnMut(&mut [u8; 32])) {
    let mut out = [0u8; 32];
    let times: Vec<String> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            hash(&mut out);
            format!("{:.3}", start.elapsed().as_secs_f64() * 1e3)
        })
        .collect();
    let hex: String = out.iter().map(|b| format!("{b:02x}")).collect();
    println!("{name} {hex} {}", times.join(" "));
}
