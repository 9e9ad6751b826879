//! Hashes the password read from stdin with argon2id, as the reference C
//! command does (`argon2 SALT -id -t T -k KIB -p P -l 32 -r`), so that both
//! can be timed process against process and their outputs compared.
//!
//! Usage: `argon2-hash SALT T KIB P < password`

use std::io::Read;

use argon2::{Algorithm, Argon2, Params, Version};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, salt, t, kib, p] = args.as_slice() else {
        eprintln!("usage: argon2-hash SALT T KIB P < password");
        std::process::exit(2);
    };
    let number = |s: &str| s.parse::<u32>().expect("a number");
    let params = Params::new(number(kib), number(t), number(p), Some(32)).expect("valid argon2 parameters");
    let mut password = Vec::new();
    std::io::stdin().read_to_end(&mut password).expect("stdin");
    let mut out = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(&password, salt.as_bytes(), &mut out)
        .expect("hashing with valid parameters");
    println!("{}", out.iter().map(|b| format!("{b:02x}")).collect::<String>());
}
