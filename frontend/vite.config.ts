/// <reference types="vitest/config" />
// Vite builds the browser app into the Django project's static folder; in development it proxies the backend.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const backend = "http://127.0.0.1:8000";
// Django checks Origin against its own host on POSTs (CSRF) and on websocket handshakes: present the backend's.
const proxied = { target: backend, changeOrigin: true, headers: { Origin: backend } };

export default defineConfig(({ command }) => ({
  // Django serves the built files under /static/; the dev server serves the app at / so the router's paths work.
  base: command === "build" ? "/static/" : "/",
  plugins: [react()],
  build: {
    outDir: "../playground/static_build",
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: {
      "/api": proxied,
      "/accounts": proxied,
      "/admin": proxied,
      "/ws": { ...proxied, ws: true },
    },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
}));
