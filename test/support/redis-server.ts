/**
 * A private redis-server child process on a free loopback port: the suite's own Redis (global setup), tests that must stop or freeze
 * Redis (never the shared one) and for the context benchmark.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";

export interface RedisServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** SIGKILL, resolved once the process has exited. */
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Starts redis-server without persistence on `port` (a free one by default). */
export async function startRedisServer(port?: number, extraArgs: readonly string[] = []): Promise<RedisServer> {
  const chosen = port ?? (await freePort());
  const child = await spawnRedis(`redis-server on port ${chosen}`, [...plainServerArgs(chosen), ...extraArgs], READY);
  return { url: `redis://127.0.0.1:${chosen}`, port: chosen, process: child, stop: () => kill(child) };
}

/** PEM files for a TLS-only server: its certificate and key, and the CA that signs client certificates. */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
}

/**
 * Starts redis-server that speaks only TLS (no plain port) on `options.port` (a free one by default). With `requireClientCert`
 * it refuses clients without a certificate signed by `files.caFile` (mutual TLS).
 */
export async function startTlsRedisServer(files: TlsFiles, options: { requireClientCert: boolean; port?: number | undefined; extraArgs?: readonly string[] }): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const args = [...plainServerArgs(0), ...tlsServerArgs(port, files, options.requireClientCert), ...(options.extraArgs ?? [])];
  const child = await spawnRedis(`TLS redis-server on port ${port}`, args, READY);
  return { url: `rediss://127.0.0.1:${port}`, port, process: child, stop: () => kill(child) };
}

/**
 * Whether this redis-server was built with TLS. It is asked to serve TLS with certificate files that
 * do not exist: a TLS build fails loading them, a build without TLS does not know the directive.
 */
export async function redisTlsSupport(): Promise<{ supported: true } | { supported: false; why: string }> {
  const missing = "/nonexistent/switchyard-tls-probe.pem";
  const output = await exitOutput("redis-server", ["--port", "0", "--tls-port", "1", "--tls-cert-file", missing, "--tls-key-file", missing, "--tls-ca-cert-file", missing]);
  if (output.includes("Failed to load certificate") || output.includes("Failed to configure TLS")) return { supported: true };
  if (output.includes("Bad directive")) return { supported: false, why: `redis-server was built without TLS (it rejects --tls-port: ${output.trim().split("\n").at(-1)})` };
  throw new Error(`could not tell whether redis-server supports TLS: ${output}`);
}

const READY = "Ready to accept connections";

const plainServerArgs = (port: number) => ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];

function tlsServerArgs(port: number, files: TlsFiles, requireClientCert: boolean): string[] {
  return [
    "--tls-port", String(port),
    "--tls-cert-file", files.certFile,
    "--tls-key-file", files.keyFile,
    "--tls-ca-cert-file", files.caFile,
    "--tls-auth-clients", requireClientCert ? "yes" : "no",
  ];
}

/** Spawns a redis-server and resolves once its log shows `readyMarker`; rejects if it exits first. */
async function spawnRedis(label: string, args: readonly string[], readyMarker: string): Promise<ChildProcess> {
  const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${label} did not start: ${output}`));
    }, 10_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(readyMarker)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited with ${code}: ${output}`));
    });
  });
  return child;
}

/** SIGKILL, resolved once the process has exited. */
async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

export interface RedisCluster {
  nodes: { host: string; port: number }[];
  /** Kills master `index` (SIGKILL); the others go on. */
  stopMaster(index: number): Promise<void>;
  /** Starts master `index` again on its port with its nodes.conf: it rejoins owning its slots (empty: no persistence). */
  restartMaster(index: number): Promise<void>;
  stop(): Promise<void>;
}

export interface RedisClusterOptions {
  /** Every node speaks only TLS with these files, the cluster bus between them too (`tls-cluster`). */
  tls?: TlsFiles;
  /** More arguments for every node (`--cluster-require-full-coverage no`, `--cluster-node-timeout 1000`). */
  extraArgs?: readonly string[];
}

/** Three masters, no replicas, every slot assigned: the smallest real Redis Cluster. */
export async function startRedisCluster(dir: string, options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const { startNode, cli } = deployment(options.tls);
  const servers: RedisServer[] = [];
  const nodeArgs: string[][] = [];
  try {
    for (let i = 0; i < 3; i++) {
      // The bus defaults to the client port + 10000, which may be taken or past 65535: give it a free port.
      const busPort = await freePort();
      const args = ["--cluster-enabled", "yes", "--cluster-port", String(busPort), "--cluster-config-file", join(dir, `nodes-${busPort}.conf`), "--dir", dir, ...(options.extraArgs ?? [])];
      nodeArgs.push(args);
      servers.push(await startNode(args));
    }
    const addresses = servers.map((s) => `127.0.0.1:${s.port}`);
    await cli(servers[0]!.port, ["--cluster", "create", ...addresses, "--cluster-replicas", "0", "--cluster-yes"]);
    for (const server of servers) {
      const ok = async () => (await cli(server.port, ["cluster", "info"])).includes("cluster_state:ok");
      await pollUntil(ok, 10_000, `node ${server.port} of the test Redis Cluster to reach cluster_state:ok`);
    }
  } catch (error) {
    await Promise.all(servers.map((s) => s.stop()));
    throw error;
  }
  return {
    nodes: servers.map((s) => ({ host: "127.0.0.1", port: s.port })),
    stopMaster: (index) => servers[index]!.stop(),
    restartMaster: async (index) => {
      servers[index] = await startNode(nodeArgs[index]!, servers[index]!.port);
    },
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}

/**
 * How a deployment starts its servers and talks to them with redis-cli: in plain text, or with `tls`
 * only TLS, the links between servers (replication, cluster bus) included.
 */
function deployment(tls: TlsFiles | undefined) {
  const tlsCli = tls ? ["--tls", "--cacert", tls.caFile] : [];
  return {
    startNode: (args: readonly string[], port?: number) =>
      tls
        ? startTlsRedisServer(tls, { requireClientCert: false, port, extraArgs: ["--tls-replication", "yes", "--tls-cluster", "yes", ...args] })
        : startRedisServer(port, args),
    cli: (port: number, args: readonly string[]) => redisCommand(port, [...tlsCli, ...args]),
  };
}

interface Finished {
  output: string;
  code: number | null;
  killed: boolean;
}

/** Runs a command to its end (killed after `timeoutMs`), with stdout and stderr together. */
function finish(command: string, args: readonly string[], timeoutMs: number): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ output, code, killed: signal !== null });
    });
  });
}

/** Runs a command expected to exit (successfully or not) by itself, and gives its output. */
async function exitOutput(command: string, args: readonly string[]): Promise<string> {
  return (await finish(command, args, 10_000)).output;
}

/** Runs a command that must succeed within 20 s (`redis-cli --cluster create` waits forever for nodes that cannot meet). */
async function run(command: string, args: readonly string[]): Promise<string> {
  const { output, code, killed } = await finish(command, args, 20_000);
  if (code === 0) return output;
  throw new Error(`${command} ${args.join(" ")} ${killed ? "did not finish within 20 s" : `exited with ${code}`}: ${output}`);
}

export interface RedisSentinelSet {
  /** The monitored master's name, as clients ask the sentinels for it. */
  masterName: string;
  sentinels: { host: string; port: number }[];
  /** The master at start; kill it to make the sentinels fail over. */
  master: RedisServer;
  /** Replicates `master` and is the one the sentinels promote. */
  replica: RedisServer;
  /** Polls the first sentinel until it names `port` as the master. */
  waitForMaster(port: number, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export interface RedisSentinelOptions {
  /** Sentinels watching the master (quorum 1: any one of them may start a failover). Default 1. */
  sentinels?: number;
  /** How long the master must be unreachable before it is considered down. Default 1000 ms. */
  downAfterMs?: number;
  /** Sentinel's failover-timeout (also the pause before retrying a failed failover). Default 3000 ms. */
  failoverTimeoutMs?: number;
  /** Every server and sentinel speaks only TLS, with these files (replication and sentinel links too). */
  tls?: TlsFiles;
}

/**
 * A real Sentinel deployment on loopback: a master, one replica (`--replicaof`) and sentinels
 * (`redis-server <conf> --sentinel`, their configs written to `dir`, which sentinels rewrite). Resolves
 * once the replica is in sync and every sentinel knows it, so a failover can start at once.
 */
export async function startRedisSentinel(dir: string, options: RedisSentinelOptions = {}): Promise<RedisSentinelSet> {
  const masterName = "switchyard-test";
  const { tls } = options;
  const { startNode, cli } = deployment(tls);
  const processes: { stop(): Promise<void> }[] = [];
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop()));
  };
  try {
    // Without persistence the first sync is diskless, which by default waits 5 s for more replicas.
    const master = await startNode(["--repl-diskless-sync-delay", "0", "--dir", dir]);
    processes.push(master);
    // The replica writes the synced data set to dump.rdb in its --dir: keep it out of the working tree.
    const replica = await startNode(["--replicaof", "127.0.0.1", String(master.port), "--dir", dir]);
    processes.push(replica);
    await pollUntil(async () => (await cli(replica.port, ["INFO", "replication"])).includes("master_link_status:up"), 10_000, "the replica to sync");

    const sentinels: { host: string; port: number }[] = [];
    for (let i = 0; i < (options.sentinels ?? 1); i++) {
      const port = await freePort();
      const conf = join(dir, `sentinel-${port}.conf`);
      await writeFile(
        conf,
        [
          ...(tls ? ["port 0", ...sentinelTlsLines(port, tls)] : [`port ${port}`]),
          "bind 127.0.0.1",
          `dir ${dir}`,
          `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 1`,
          `sentinel down-after-milliseconds ${masterName} ${options.downAfterMs ?? 1000}`,
          `sentinel failover-timeout ${masterName} ${options.failoverTimeoutMs ?? 3000}`,
          "",
        ].join("\n"),
      );
      // Sentinel never logs "Ready to accept connections"; it is serving once it monitors the master.
      const child = await spawnRedis(`sentinel on port ${port}`, [conf, "--sentinel"], "+monitor master");
      processes.push({ stop: () => kill(child) });
      sentinels.push({ host: "127.0.0.1", port });
    }
    for (const sentinel of sentinels) {
      await pollUntil(async () => knowsHealthyReplica(await cli(sentinel.port, ["SENTINEL", "replicas", masterName])), 15_000, "the sentinels to discover the replica");
    }
    return {
      masterName,
      sentinels,
      master,
      replica,
      async waitForMaster(port, timeoutMs) {
        const named = async () => (await cli(sentinels[0]!.port, ["SENTINEL", "get-master-addr-by-name", masterName])).includes(String(port));
        await pollUntil(named, timeoutMs, `the sentinels to name port ${port} as the master`);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A TLS-only sentinel that also reaches the master and replicas over TLS (`tls-replication`). */
function sentinelTlsLines(port: number, files: TlsFiles): string[] {
  const args = tlsServerArgs(port, files, false);
  const lines: string[] = [];
  for (let i = 0; i < args.length; i += 2) lines.push(`${args[i]!.slice(2)} ${args[i + 1]}`);
  return [...lines, "tls-replication yes"];
}

/** `SENTINEL replicas` output (redis-cli, one field per line) lists a replica that is up and linked to its master. */
function knowsHealthyReplica(output: string): boolean {
  const lines = output.split("\n").map((l) => l.trim());
  const field = (name: string) => lines[lines.indexOf(name) + 1];
  return lines.includes("flags") && field("flags") === "slave" && field("master-link-status") === "ok";
}

function redisCommand(port: number, args: readonly string[]): Promise<string> {
  return run("redis-cli", ["-p", String(port), ...args]);
}

async function pollUntil(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await condition()) return;
    } catch (error) {
      // A server still starting refuses connections: keep polling, and report it if time runs out.
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
