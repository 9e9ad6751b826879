// @node-rs/argon2 (the argon2-rust crate behind better-auth's hasher) in
// process, as bench/argon2_peers.py times ours: `node hash.mjs SALT T KIB P
// BATCH` with the password on stdin prints its name, the 32-byte hash in hex
// and each hash's milliseconds. The synchronous call, so no thread-pool hop
// is counted.
import { readFileSync } from "node:fs";
import { hashRawSync } from "@node-rs/argon2";

const [salt, t, kib, p, batch] = process.argv.slice(2);
const password = readFileSync(0);
const options = { algorithm: 2 /* Argon2id */, timeCost: Number(t), memoryCost: Number(kib),
  parallelism: Number(p), outputLen: 32, salt: Buffer.from(salt) };
const times = [];
let digest;
for (let i = 0; i < Number(batch); i++) {
  const started = process.hrtime.bigint();
  digest = hashRawSync(password, options);
  times.push(Number(process.hrtime.bigint() - started) / 1e6);
}
console.log(`@node-rs/argon2 ${digest.toString("hex")} ${times.map((ms) => ms.toFixed(3)).join(" ")}`);
