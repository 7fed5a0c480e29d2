import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, request } from "node:http";
import { startFakeOpenAI } from "../../test/support/fake-openai.js";
import { cloudModelsYaml, startSwitchyard, switchyardHeaders } from "../lib/servers.js";

const total = Number(process.argv[2] ?? 30000);
const up = await startFakeOpenAI({ record: false });
const work = await mkdtemp(join(tmpdir(), "soak-"));
const sy = await startSwitchyard(work, { modelsYaml: cloudModelsYaml(up.baseURL), logLevel: "warn" });
const agent = new Agent({ keepAlive: true, maxSockets: 16 });
const u = new URL(sy.origin);
function post(path: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: "POST", agent, headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => { const parts: Buffer[] = []; res.on("data", (d: Buffer) => parts.push(d)); res.on("end", () => { if (res.statusCode !== 200) console.log(res.statusCode, Buffer.concat(parts).toString().slice(0, 300)); resolve(res.statusCode ?? 0); }); });
    req.on("error", reject); req.end(body);
  });
}
async function metric(): Promise<string> {
  const r = await fetch(`${sy.origin}/metrics`, { headers: switchyardHeaders() });
  const t = await r.text();
  const pick = (n: string) => Number(/\n?switchyard_(?:nodejs_)?NAME(?:\{[^}]*\})? ([0-9.e+]+)/.exec(t.replace(/NAME/g, ""))?.[1]);
  const heap = /switchyard_nodejs_heap_size_used_bytes ([0-9.e+]+)/.exec(t)?.[1];
  const rss = /switchyard_process_resident_memory_bytes ([0-9.e+]+)/.exec(t)?.[1];
  void pick;
  return `heapUsed ${(Number(heap) / 1e6).toFixed(1)} MB rss ${(Number(rss) / 1e6).toFixed(1)} MB metrics ${(t.length / 1e3).toFixed(0)} KB`;
}
let sent = 0; const statuses = new Map<number, number>();
console.log(0, await metric());
for (let phase = 1; sent < total; phase++) {
  const end = Math.min(total, sent + 5000);
  const workers = Array.from({ length: 16 }, async () => {
    while (sent < end) {
      const i = sent++;
      const body = JSON.stringify({ model: "cloud", user: `user-${i}`, metadata: { order: `o-${i}` }, messages: [{ role: "user", content: `Hi, I'm Maria Lopez (maria.lopez${i}@example.com), order ${i}: where is my parcel?` }] });
      const s = await post("/v1/chat/completions", body, { ...switchyardHeaders(), "x-session-id": `sess-${i}`, "x-request-id": `req-${i}` });
      statuses.set(s, (statuses.get(s) ?? 0) + 1);
    }
  });
  await Promise.all(workers);
  console.log(sent, await metric(), JSON.stringify([...statuses]));
}
await sy.child.stop(); await up.close(); process.exit(0);
