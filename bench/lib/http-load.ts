/**
 * A small HTTP load generator over keep-alive connections (node:http Agent): closed loop (N workers,
 * each sends as soon as its previous answer is complete) and open loop (sends at fixed times whatever
 * the server does, and measures each latency from the request's *scheduled* send time, so a stalled
 * server shows up as queueing instead of being hidden by a generator that slowed down with it).
 *
 * Every loop is bounded both in requests and in time, and only loopback targets are accepted.
 */
import { Agent, request } from "node:http";

export interface HttpTarget {
  name: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  path: string;
  headers: Readonly<Record<string, string>>;
  body: Buffer;
}

export interface Sample {
  ok: boolean;
  /** From the (scheduled) send time to the first response body byte. */
  ttfbMs: number;
  /** From the (scheduled) send time to the end of the response. */
  totalMs: number;
}

export interface LoadResult {
  samples: Sample[];
  /** Requests that failed (status, network, timeout, or a stream without `[DONE]`). */
  errors: number;
  /** Open loop only: sends skipped because too many requests were already in flight. */
  dropped: number;
  elapsedMs: number;
  /** Completed requests per second over the measured window. */
  rps: number;
}

const REQUEST_TIMEOUT_MS = 10_000;

export function httpTarget(target: HttpTarget): HttpTarget {
  const url = new URL(target.origin);
  // The benchmark must never generate traffic anywhere but this machine.
  if (url.hostname !== "127.0.0.1") throw new Error(`${target.name}: refusing non-loopback origin ${target.origin}`);
  return target;
}

export function keepAliveAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
}

/** One request; `startedAt` is the performance.now() the latency is measured from. */
export function send(target: HttpTarget, agent: Agent, startedAt: number, expectStream: boolean): Promise<Sample> {
  const url = new URL(target.path, target.origin);
  return new Promise<Sample>((resolve) => {
    let ttfbMs = Number.NaN;
    let settled = false;
    const finish = (ok: boolean) => {
      if (settled) return;
      settled = true;
      const totalMs = performance.now() - startedAt;
      resolve({ ok, ttfbMs: Number.isNaN(ttfbMs) ? totalMs : ttfbMs, totalMs });
    };
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: { ...target.headers, "content-type": "application/json", "content-length": target.body.length },
      },
      (res) => {
        let last: Buffer | undefined;
        res.on("data", (chunk: Buffer) => {
          if (last === undefined) ttfbMs = performance.now() - startedAt;
          last = chunk;
        });
        res.on("end", () => finish(res.statusCode === 200 && (!expectStream || (last?.includes("[DONE]") ?? false))));
        res.on("error", () => finish(false));
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error("timeout")));
    req.on("error", () => finish(false));
    req.end(target.body);
  });
}

export interface ClosedLoopOptions {
  concurrency: number;
  durationMs: number;
  maxRequests: number;
  stream: boolean;
}

export async function closedLoop(target: HttpTarget, agent: Agent, options: ClosedLoopOptions): Promise<LoadResult> {
  const samples: Sample[] = [];
  let errors = 0;
  let started = 0;
  const t0 = performance.now();
  const deadline = t0 + options.durationMs;
  const worker = async () => {
    while (started < options.maxRequests && performance.now() < deadline) {
      started++;
      const sample = await send(target, agent, performance.now(), options.stream);
      if (sample.ok) samples.push(sample);
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsedMs = performance.now() - t0;
  return { samples, errors, dropped: 0, elapsedMs, rps: (samples.length / elapsedMs) * 1000 };
}

export interface OpenLoopOptions {
  ratePerSecond: number;
  durationMs: number;
  /** Beyond this many requests in flight a send is dropped (and reported) rather than queued without bound. */
  maxInFlight: number;
  stream: boolean;
}

export function openLoop(target: HttpTarget, agent: Agent, options: OpenLoopOptions): Promise<LoadResult> {
  const intervalMs = 1000 / options.ratePerSecond;
  const total = Math.floor((options.durationMs / 1000) * options.ratePerSecond);
  const samples: Sample[] = [];
  let errors = 0;
  let dropped = 0;
  let inFlight = 0;
  let scheduled = 0;
  let completed = 0;
  const t0 = performance.now() + 5;
  return new Promise<LoadResult>((resolve) => {
    const settle = () => {
      if (scheduled < total || completed < scheduled) return;
      const elapsedMs = performance.now() - t0;
      resolve({ samples, errors, dropped, elapsedMs, rps: (samples.length / elapsedMs) * 1000 });
    };
    const tick = () => {
      const now = performance.now();
      // A late timer sends every request that is due; their latencies still start at their due time.
      while (scheduled < total && t0 + scheduled * intervalMs <= now) {
        const due = t0 + scheduled * intervalMs;
        scheduled++;
        if (inFlight >= options.maxInFlight) {
          dropped++;
          completed++;
          continue;
        }
        inFlight++;
        void send(target, agent, due, options.stream).then((sample) => {
          inFlight--;
          completed++;
          if (sample.ok) samples.push(sample);
          else errors++;
          settle();
        });
      }
      if (scheduled < total) setTimeout(tick, Math.max(0, t0 + scheduled * intervalMs - performance.now()));
      else settle();
    };
    setTimeout(tick, 5);
  });
}
