/**
 * The Redis store over TLS (`rediss://`) to a real TLS-only redis-server whose certificate a private
 * CA signed: it connects when context.yaml names that CA, and fails closed — degraded, never a plain
 * or unverified connection — when the CA, the server name or the client certificate is wrong.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/yaml-file.js";
import { loadContextConfig } from "../../src/context/config.js";
import { createContextStoreFromConfig } from "../../src/context/create.js";
import type { ContextStore } from "../../src/context/store.js";
import { redisTlsSupport, startTlsRedisServer, type RedisServer } from "../support/redis-server.js";
import { capturedLog, contents, expectFailsClosed, turn, user, type CapturedLog } from "./support.js";
import { createTestCertificates, type TestCertificates } from "./tls-certificates.js";

const tls = await redisTlsSupport();

describe.skipIf(!tls.supported)(`context store over TLS${tls.supported ? "" : ` (skipped: ${tls.why})`}`, () => {
  let dir: string;
  let certs: TestCertificates;
  /** TLS only, any client. */
  let server: RedisServer;
  /** TLS only, clients must present a certificate the private CA signed. */
  let mutualServer: RedisServer;
  const stores: ContextStore[] = [];
  const scope = { tenantId: "acme", sessionId: "over-tls" };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "switchyard-tls-"));
    certs = await createTestCertificates(dir);
    const serverFiles = { ...certs.server, caFile: certs.caFile };
    [server, mutualServer] = await Promise.all([
      startTlsRedisServer(serverFiles, { requireClientCert: false }),
      startTlsRedisServer(serverFiles, { requireClientCert: true }),
    ]);
  });

  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await Promise.all([server?.stop(), mutualServer?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The production path: a policy folder with this context.yaml (or none), the environment, the store it builds. */
  async function storeFrom(contextYaml: string | undefined, env: NodeJS.ProcessEnv): Promise<{ store: ContextStore; captured: CapturedLog }> {
    const policyDir = await mkdtemp(join(dir, "policies-"));
    if (contextYaml !== undefined) await writeFile(join(policyDir, "context.yaml"), contextYaml);
    const captured = capturedLog();
    const config = await loadContextConfig({ SWITCHYARD_CONTEXT_TIMEOUT_MS: "200", ...env }, policyDir);
    const store = createContextStoreFromConfig(config, captured.log);
    stores.push(store);
    return { store, captured };
  }

  async function expectServes(store: ContextStore): Promise<void> {
    expect(await store.ready(5000)).toBe(true);
    expect((await store.save(scope, { turns: [turn(user("over TLS"))], replace: true })).status).toBe("ok");
    expect(contents((await store.load(scope)).turns)).toEqual(["over TLS"]);
  }

  it("serves sessions over rediss:// when context.yaml names the private CA (a path relative to the policy folder)", async () => {
    const { store } = await storeFrom(`redis:\n  tls:\n    ca_file: ../ca.crt\n`, { REDIS_URL: server.url });
    await expectServes(store);
  });

  it("fails closed when the server's certificate is not signed by a trusted CA: the system's, or another private one", async () => {
    const systemCas = await storeFrom(undefined, { REDIS_URL: server.url });
    await expectFailsClosed(systemCas.store, systemCas.captured, scope, /certificate/i);

    const otherCa = await storeFrom(`redis:\n  tls:\n    ca_file: ${certs.otherCaFile}\n`, { REDIS_URL: server.url });
    await expectFailsClosed(otherCa.store, otherCa.captured, scope, /certificate/i);
  });

  it("verifies the server's name: servername must be one the certificate carries", async () => {
    const wrongName = await storeFrom(`redis:\n  tls:\n    ca_file: ${certs.caFile}\n    servername: redis.example.com\n`, { REDIS_URL: server.url });
    await expectFailsClosed(wrongName.store, wrongName.captured, scope, /redis\.example\.com/);

    const rightName = await storeFrom(`redis:\n  tls:\n    ca_file: ${certs.caFile}\n    servername: localhost\n`, { REDIS_URL: server.url });
    await expectServes(rightName.store);
  });

  it("presents cert_file/key_file to a server that requires client certificates, and is refused without them", async () => {
    const withCert = await storeFrom(
      `redis:\n  tls:\n    ca_file: ${certs.caFile}\n    cert_file: ${certs.client.certFile}\n    key_file: ${certs.client.keyFile}\n`,
      { REDIS_URL: mutualServer.url },
    );
    await expectServes(withCert.store);

    const withoutCert = await storeFrom(`redis:\n  tls:\n    ca_file: ${certs.caFile}\n`, { REDIS_URL: mutualServer.url });
    // The server drops the handshake: the client sees a reset or a TLS alert, depending on timing.
    await expectFailsClosed(withoutCert.store, withoutCert.captured, scope, /ECONNRESET|certificate|socket|alert/i);
  });

  it("stops start-up, naming the line, when a TLS file is unusable", async () => {
    const policyDir = await mkdtemp(join(dir, "bad-policies-"));
    const load = (yaml: string) => writeFile(join(policyDir, "context.yaml"), yaml).then(() => loadContextConfig({ REDIS_URL: server.url }, policyDir));

    await expect(load(`redis:\n  tls:\n    ca_file: missing.crt\n`)).rejects.toThrow(/context\.yaml:3:14: redis\.tls\.ca_file: cannot read .*missing\.crt: ENOENT/);
    await expect(load(`redis:\n  tls:\n    ca_file: ${certs.server.keyFile}\n`)).rejects.toThrow(/context\.yaml:3:14: redis\.tls\.ca_file: holds no PEM certificate/);
    await expect(
      load(`redis:\n  tls:\n    ca_file: ${certs.caFile}\n    cert_file: ${certs.client.certFile}\n    key_file: ${certs.server.keyFile}\n`),
    ).rejects.toThrow(/context\.yaml:5:15: redis\.tls\.key_file: does not match cert_file/);
    await mkdir(join(policyDir, "ca-copy"));
    await cp(certs.caFile, join(policyDir, "ca-copy", "ca.crt"));
    await expect(load(`redis:\n  tls:\n    ca_file: ca-copy/ca.crt\n`)).resolves.toMatchObject({ redis: { target: { kind: "url", tls: { ca: expect.any(Buffer) } } } });
    await expect(load(`redis:\n  tls:\n    cert_file: ${certs.client.certFile}\n`)).rejects.toThrow(ConfigError);
  });
});
