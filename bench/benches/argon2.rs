//! argon2id at the service's parameters (m = 19456 KiB, t = 2, p = 1), in
//! process. `bench/argon2_peers.py` compares the same hash with libsodium and
//! argon2-cffi, in one run.

use argon2::{Algorithm, Argon2, Params, Version};
use criterion::{Criterion, criterion_group, criterion_main};

fn hash(c: &mut Criterion) {
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(19_456, 2, 1, Some(32)).unwrap());
    let mut out = [0u8; 32];
    c.bench_function("argon2id m=19456 t=2 p=1", |b| {
        b.iter(|| argon2.hash_password_into(b"Gpu#Cl0ud-bench9", b"somesaltsomesalt", &mut out).unwrap())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = hash
}
criterion_main!(benches);
