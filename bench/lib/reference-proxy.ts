/**
 * Reference proxies for the overhead benchmark: what a gateway costs before it does any gateway work,
 * so Switchyard's overhead can be read against a floor measured in the same run.
 *
 *   node --import tsx bench/lib/reference-proxy.ts <node|sdk> <upstream-origin> <url-file>
 *
 * - `node`: a bare `node:http` proxy (keep-alive agent, body forwarded as bytes, answer piped back) —
 *   the "floor to approach".
 * - `sdk`: the smallest proxy on Switchyard's own stack: Hono on @hono/node-server, the body parsed as
 *   JSON, the call made through the `openai` SDK (with Switchyard's Node-backed fetch, its cheapest
 *   transport), the answer written back as JSON or as SSE frames. No auth, validation, PII scan,
 *   policy, usage or logging: everything the gateway adds on top of this is its own.
 */
import http from "node:http";
import { writeFile } from "node:fs/promises";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { stream as honoStream } from "hono/streaming";
import OpenAI from "openai";
import { createHttpFetch } from "../../src/providers/cloud/http-fetch.js";

const [mode, upstreamOrigin, urlFile] = process.argv.slice(2);
if ((mode !== "node" && mode !== "sdk") || !upstreamOrigin || !urlFile) {
  process.stderr.write("usage: reference-proxy.ts <node|sdk> <upstream-origin> <url-file>\n");
  process.exit(2);
}
const upstream = new URL(upstreamOrigin);
if (upstream.hostname !== "127.0.0.1") throw new Error(`refusing non-loopback upstream ${upstreamOrigin}`);
const UPSTREAM_KEY = "sk-bench-upstream";

function nodeProxy(): http.Server {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const forward = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          agent,
          headers: { "content-type": "application/json", "content-length": body.length, authorization: `Bearer ${UPSTREAM_KEY}` },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, { "content-type": answer.headers["content-type"] ?? "application/json" });
          answer.pipe(res);
        },
      );
      forward.on("error", () => {
        // Mid-stream the status is gone already: cutting the connection is all that is left to say.
        if (res.headersSent) res.destroy();
        else res.writeHead(502).end();
      });
      forward.end(body);
    });
  });
}

function sdkProxy(): http.Server {
  const client = new OpenAI({ apiKey: UPSTREAM_KEY, baseURL: `${upstreamOrigin}/v1`, maxRetries: 0, fetch: createHttpFetch() });
  const app = new Hono();
  app.post("/v1/chat/completions", async (c) => {
    const body = (await c.req.json()) as OpenAI.ChatCompletionCreateParams;
    if (!body.stream) return c.json(await client.chat.completions.create({ ...body, stream: false }));
    const chunks = await client.chat.completions.create({ ...body, stream: true });
    c.header("content-type", "text/event-stream");
    return honoStream(c, async (out) => {
      for await (const chunk of chunks) await out.write(`data: ${JSON.stringify(chunk)}\n\n`);
      await out.write("data: [DONE]\n\n");
    });
  });
  return serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }) as http.Server;
}

const server = mode === "node" ? nodeProxy() : sdkProxy();
if (mode === "node") server.listen(0, "127.0.0.1");
server.once("listening", () => {
  const address = server.address() as { port: number };
  void writeFile(urlFile, `http://127.0.0.1:${address.port}`);
});
process.once("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
