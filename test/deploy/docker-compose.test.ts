/**
 * There is no Docker engine here, so the compose file is checked for the structure operators rely
 * on: which services exist, how they connect, what is exposed and mounted, how long a stop may take.
 */
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { EnvSchema } from "../../src/config/env.js";
import { SHUTDOWN_FLUSH_MS } from "../../src/server.js";

const Service = z.looseObject({
  image: z.string().optional(),
  build: z.unknown().optional(),
  ports: z.array(z.string()).optional(),
  environment: z.record(z.string(), z.string()).optional(),
  volumes: z.array(z.string()).optional(),
  depends_on: z.record(z.string(), z.looseObject({ condition: z.string() })).optional(),
  profiles: z.array(z.string()).optional(),
  command: z.array(z.string()).optional(),
  healthcheck: z.looseObject({ test: z.array(z.string()) }).optional(),
  env_file: z.array(z.looseObject({ path: z.string(), required: z.boolean().optional() })).optional(),
  stop_grace_period: z.string().optional(),
});
const Compose = z.looseObject({ services: z.record(z.string(), Service), volumes: z.record(z.string(), z.unknown()).optional() });

describe("docker-compose.yml", async () => {
  const compose = Compose.parse(parse(await readFile("docker-compose.yml", "utf8")));
  const { gateway, redis } = compose.services;
  const llama = compose.services["llama-server"];

  it("runs the gateway from this repo's Dockerfile on port 8080, published on this host only unless SWITCHYARD_BIND says otherwise", async () => {
    expect(gateway?.build).toBe(".");
    // The container listens on all its interfaces; the host publishes the port on loopback by default,
    // so a gateway started without API keys is not open to the network.
    expect(gateway?.ports).toEqual(["${SWITCHYARD_BIND:-127.0.0.1}:8080:8080"]);
    expect(gateway?.environment).toMatchObject({ HOST: "0.0.0.0", PORT: "8080" });
    const dockerfile = await readFile("Dockerfile", "utf8");
    expect(dockerfile).toMatch(/^FROM node:20/m);
    expect(dockerfile).toContain("npm install --omit=dev");
    expect(dockerfile).toMatch(/CMD \["node", "--import", "tsx", "src\/main.ts", "serve"\]/);
  });

  it("lets the gateway's shutdown run its worst case before Docker kills it", () => {
    const seconds = Number(/^(\d+)s$/.exec(gateway?.stop_grace_period ?? "")?.[1]);
    const timeoutMs = EnvSchema.parse({}).SWITCHYARD_SHUTDOWN_TIMEOUT_MS;
    // The deadline, the stopped requests' flush allowance, up to 5 s for the saves and usage records
    // still pending (pipeline.drain), up to 2 s for the last usage write, unloading the models, and margin.
    expect(seconds).toBeGreaterThanOrEqual((timeoutMs + SHUTDOWN_FLUSH_MS) / 1000 + 5 + 2 + 5);
  });

  it("connects the gateway to Redis by service name and waits for it to be healthy", () => {
    expect(gateway?.environment?.REDIS_URL).toBe("redis://redis:6379");
    expect(gateway?.depends_on?.redis?.condition).toBe("service_healthy");
    expect(redis?.image).toMatch(/^redis:7/);
    expect(redis?.healthcheck?.test).toContain("ping");
    expect(redis?.volumes?.some((v) => v.endsWith(":/data"))).toBe(true);
    expect(Object.keys(compose.volumes ?? {})).toContain("redis-data");
    // Spend survives a restart, and keys are never evicted one by one.
    expect(redis?.command).toEqual(expect.arrayContaining(["--appendonly", "yes", "--maxmemory-policy", "noeviction"]));
    // Reached on the compose network only: a published 6379 exposes conversations to the host and
    // fails on any host that runs Redis already.
    expect(redis?.ports).toBeUndefined();
  });

  it("mounts models read-only and the policies ops edit", () => {
    expect(gateway?.volumes).toEqual(expect.arrayContaining(["./models:/models:ro", "./policies:/app/policies:ro"]));
    expect(gateway?.environment?.SWITCHYARD_POLICY_DIR).toBe("/app/policies");
    expect(gateway?.environment?.SWITCHYARD_LOCAL_MODEL).toMatch(/^\/models\//);
  });

  it("passes secrets from the host environment instead of hard-coding them", () => {
    for (const key of ["OPENAI_API_KEY", "SWITCHYARD_API_KEYS", "SWITCHYARD_ADMIN_KEY"]) {
      expect(gateway?.environment?.[key]).toMatch(/^\$\{[A-Z_]+:-\}$/);
    }
  });

  it("passes every setting of an optional .env to the gateway, not only the ones it lists", () => {
    // SWITCHYARD_CONTEXT_KEY, REDIS_PASSWORD, another provider's api_key_env… could not be set otherwise.
    expect(gateway?.env_file).toEqual([{ path: ".env", required: false }]);
  });

  it("leaves models.yaml's cloud base_url alone unless OPENAI_BASE_URL is set", () => {
    // The gateway treats an empty value as unset; a default here replaced an edited base_url silently.
    expect(gateway?.environment?.OPENAI_BASE_URL).toBe("${OPENAI_BASE_URL:-}");
  });

  it("offers a llama.cpp server as an optional profile serving the same models folder", () => {
    expect(llama?.profiles).toEqual(["llama-server"]);
    expect(llama?.image).toMatch(/llama\.cpp:server/);
    expect(llama?.volumes).toContain("./models:/models:ro");
    expect(llama?.command).toEqual(expect.arrayContaining(["--host", "0.0.0.0", "--port", "8081"]));
    expect(llama?.ports?.[0]).toMatch(/^127\.0\.0\.1:8081:8081$/);
    // The image's own health check probes LLAMA_ARG_PORT (8080 unless set): on 8081 it never passed.
    expect(llama?.environment?.LLAMA_ARG_PORT).toBe("8081");
    expect(llama?.healthcheck?.test).toEqual(["CMD", "curl", "-f", "http://localhost:8081/health"]);
  });

  it("keeps models out of the image's build context, and the GPU builds of llama.cpp out of the image", async () => {
    const ignored = (await readFile(".dockerignore", "utf8")).split("\n");
    expect(ignored).toEqual(expect.arrayContaining(["models", "*.gguf"]));
    expect(await readFile("Dockerfile", "utf8")).toContain("rm -rf node_modules/@node-llama-cpp/*-cuda* node_modules/@node-llama-cpp/*-vulkan*");
  });
});
