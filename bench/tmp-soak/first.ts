import { createPiiEngine, createSanitizer, loadPiiPolicy, piiPolicyPath } from "../../src/pii/index.js";
import { PseudonymVault } from "../../src/pii/vault.js";
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const t0 = cpu(), w0 = performance.now();
const policy = await loadPiiPolicy(piiPolicyPath("policies"));
const engine = createPiiEngine(policy);
const sanitizer = createSanitizer({ policy, engine, env: process.env });
console.log("engine", (cpu() - t0).toFixed(0), "ms cpu", (performance.now() - w0).toFixed(0), "ms wall");
for (let i = 0; i < 4; i++) {
  const c = cpu(), w = performance.now();
  const out = sanitizer.sanitizeForCloud({ model: "cloud", user: `user-${i}`, metadata: { order: `o-${i}` }, messages: [{ role: "user", content: `Hi, I'm Maria Lopez (maria.lopez${i}@example.com), order ${i}: where is my parcel?` }] } as never, { vault: new PseudonymVault(), tenant: "t" } as never);
  console.log(i, out.kind, (cpu() - c).toFixed(1), "ms cpu", (performance.now() - w).toFixed(1), "ms wall");
}
