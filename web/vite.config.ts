/**
 * Builds the Spiral Codex HUD into web/dist, which the gateway Worker serves as
 * static assets. Everything is bundled (no CDN, no web fonts) so the page works
 * offline behind Cloudflare Access.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import preact from "@preact/preset-vite";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "/",
  plugins: [preact()],
  build: {
    outDir: fileURLToPath(new URL("./dist", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: {
    host: "127.0.0.1",
    // `npm run dev` serves the API on the gateway; proxy /api there when developing the page alone.
    proxy: { "/api": { target: process.env["EXO_BRIDGE_GATEWAY"] ?? "http://127.0.0.1:8787", ws: true } },
  },
});
