// better-auth as a peer: its email-and-password sign-in on SQLite
// (better-sqlite3, WAL), the password hash set to argon2id at the service's
// parameters (m = 19456 KiB, t = 2, p = 1, 32-byte output) through the
// native @node-rs/argon2, rate limiting off (ours is on: it costs us, not
// them). One worker process per core (node:cluster), as uvicorn runs
// fastapi-users, started by bench/peers.py.
//
// Routes used: POST /api/auth/sign-up/email and /api/auth/sign-in/email
// (JSON) -> a session token; GET /api/auth/get-session (bearer plugin:
// Authorization: Bearer <token>) -> the session and user, read from the
// database (no cookie cache: every read is checked, as ours is).
import cluster from "node:cluster";
import http from "node:http";
import os from "node:os";
import { hash, verify, Algorithm } from "@node-rs/argon2";
import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { toNodeHandler } from "better-auth/node";
import { bearer } from "better-auth/plugins";
import Database from "better-sqlite3";

const params = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32 };
const db = new Database(process.env.PEER_DB ?? "better-auth.db");
db.pragma("journal_mode = WAL");

const auth = betterAuth({
  database: db,
  secret: "bench-secret-bench-secret-bench-secret",
  baseURL: `http://127.0.0.1:${process.env.PORT ?? 3000}`,
  emailAndPassword: {
    enabled: true,
    password: { hash: (password) => hash(password, params), verify: ({ hash: phc, password }) => verify(phc, password) },
  },
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  plugins: [bearer()],
});

const workers = Number(process.env.WORKERS ?? os.availableParallelism());
if (cluster.isPrimary) {
  const { runMigrations } = await getMigrations(auth.options);
  await runMigrations();
  for (let i = 0; i < workers; i++) cluster.fork();
} else {
  http.createServer(toNodeHandler(auth)).listen(Number(process.env.PORT ?? 3000), "127.0.0.1");
}
