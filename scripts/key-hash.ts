/**
 * `npm run key:hash -- <key>` prints the SHA-256 hex digest of a client API key, the
 * form the gateway stores (GATEWAY_KEY_HASHES). With no key, makes a new random one.
 */
import { createHash, randomBytes } from "node:crypto";

const key = process.argv[2] ?? `sk-exo-${randomBytes(24).toString("hex")}`;
if (process.argv[2] === undefined) console.log(`new key:  ${key}`);
console.log(`sha-256:  ${createHash("sha256").update(key).digest("hex")}`);
console.log("set it with: npx wrangler secret put GATEWAY_KEY_HASHES   (comma-separate several digests)");
