/**
 * Takes usage records off the request path: `enqueue` is synchronous and never waits or throws; a
 * background loop writes batches to the store (one round trip per batch). The buffer is bounded: when
 * the store is unreachable for long, new records are dropped and counted rather than growing memory
 * without limit, and failed batches are retried with capped exponential backoff.
 */
import { randomUUID } from "node:crypto";
import type { UsageRecord } from "./record.js";
import type { BatchId, UsageStore } from "./store.js";

export interface UsageRecorderOptions {
  store: UsageStore;
  /** Records held while the store is slow or down; beyond this, new records are dropped (and counted). */
  maxBuffered?: number;
  /** Records per write. */
  batchSize?: number;
  /** How long a record may wait for a fuller batch; bounds how stale `/v1/usage` and budgets are. */
  flushIntervalMs?: number;
  /** Upper bound of the retry backoff after failed writes. */
  maxRetryDelayMs?: number;
  /** Every successful write, with its records (the budget guard moves their cost from pending to written). */
  onWritten?: (records: readonly UsageRecord[]) => void;
  /** Every failed write, with the error; the composition root logs it. */
  onError?: (error: unknown, stats: RecorderStats) => void;
  /** Clock of the shutdown deadline (tests). */
  now?: () => number;
}

/** `close()` could not write everything before its deadline: `lost` records are counted as dropped. */
export class UsageRecordsLostError extends Error {
  constructor(
    readonly lost: number,
    lastError: string | null,
  ) {
    super(`${lost} usage record(s) could not be written before the shutdown deadline: ${lastError ?? "no write succeeded in time"}`);
    this.name = "UsageRecordsLostError";
  }
}

export interface RecorderStats {
  /** Waiting to be written (including a batch being written now). */
  buffered: number;
  /** Written to the store since start. */
  written: number;
  /** Lost because the buffer was full. */
  dropped: number;
  failedWrites: number;
  lastError: string | null;
}

const FIRST_RETRY_DELAY_MS = 100;

export class UsageRecorder {
  private readonly store: UsageStore;
  private readonly maxBuffered: number;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly onError: (error: unknown, stats: RecorderStats) => void;
  private readonly onWritten: (records: readonly UsageRecord[]) => void;
  private readonly now: () => number;
  private readonly buffer: UsageRecord[] = [];
  /** Names this recorder's batches in the store, which applies each (writer, seq) once. */
  private readonly writer = randomUUID();
  private seq = 0;
  /**
   * The batch being written, kept as it is until the store confirms it: a write that failed may still
   * have reached the store (a timeout), so its retry must be the same batch under the same id, never
   * the buffer's head regrown with newer records.
   */
  private batch: { id: BatchId; records: UsageRecord[] } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<boolean> | undefined;
  private retryDelayMs = 0;
  private closed = false;
  private written = 0;
  private dropped = 0;
  private failedWrites = 0;
  private lastError: string | null = null;

  constructor(options: UsageRecorderOptions) {
    this.store = options.store;
    this.maxBuffered = options.maxBuffered ?? 10_000;
    this.batchSize = options.batchSize ?? 200;
    this.flushIntervalMs = options.flushIntervalMs ?? 250;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 5_000;
    this.onError = options.onError ?? (() => {});
    this.onWritten = options.onWritten ?? (() => {});
    this.now = options.now ?? Date.now;
  }

  /** Queues `record` for writing; false when it was dropped because the buffer is full or the recorder closed. */
  enqueue(record: UsageRecord): boolean {
    if (this.closed || this.buffer.length >= this.maxBuffered) {
      this.dropped++;
      return false;
    }
    this.buffer.push(record);
    this.schedule();
    return true;
  }

  stats(): RecorderStats {
    return { buffered: this.buffer.length, written: this.written, dropped: this.dropped, failedWrites: this.failedWrites, lastError: this.lastError };
  }

  /** Writes everything buffered now; rejects with the store's error when a write fails. */
  async flush(): Promise<void> {
    this.clearTimer();
    while (this.buffer.length > 0) {
      if (!(await this.writeBatch())) {
        if (!this.closed) this.schedule();
        throw new Error(`usage store write failed: ${this.lastError}`);
      }
    }
  }

  /**
   * Stops accepting records and writes what is left, retrying failed writes with the recorder's
   * backoff until the buffer is empty or `deadlineAt` (epoch ms, the shutdown deadline; default now:
   * one attempt) has passed. One attempt is always made, also when called after the deadline (the
   * records of requests the deadline stopped come then); no retry starts after it, and one under way
   * is awaited (the store's client bounds it by its command timeout), so whether its batch was written is known. A
   * retry is the same batch under the same id, so a write that failed yet reached the store is not
   * applied twice. What is still buffered then is counted as dropped and the promise rejects with
   * `UsageRecordsLostError` (the caller logs it).
   */
  async close(options: { deadlineAt?: number } = {}): Promise<void> {
    this.closed = true;
    this.clearTimer();
    const deadlineAt = options.deadlineAt ?? this.now();
    while (this.buffer.length > 0) {
      if (await this.writeBatch()) continue;
      const left = deadlineAt - this.now();
      if (left <= 0) break;
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, this.retryDelayMs)));
    }
    const lost = this.buffer.length;
    if (lost === 0) return;
    // The process is going away and nothing will retry them: counted as dropped, like a full buffer's records.
    this.buffer.length = 0;
    this.batch = undefined;
    this.dropped += lost;
    throw new UsageRecordsLostError(lost, this.lastError);
  }

  private schedule(): void {
    // Once closed, close() drives the writes itself.
    if (this.closed || this.timer !== undefined || this.writing !== undefined || this.buffer.length === 0) return;
    const delay = this.retryDelayMs > 0 ? this.retryDelayMs : this.buffer.length >= this.batchSize ? 0 : this.flushIntervalMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeBatch().then(() => this.schedule());
    }, delay);
    // A pending write must not keep a finished process alive; shutdown flushes explicitly.
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One write of the oldest batch; records leave the buffer only once the store has them. */
  private writeBatch(): Promise<boolean> {
    if (this.writing) return this.writing;
    const batch = (this.batch ??= { id: { writer: this.writer, seq: ++this.seq }, records: this.buffer.slice(0, this.batchSize) });
    this.writing = this.store
      .append(batch.records, batch.id)
      .then(
        () => {
          // Only this method removes from the front, and enqueue only appends, so the batch is still first.
          this.buffer.splice(0, batch.records.length);
          this.batch = undefined;
          this.written += batch.records.length;
          this.retryDelayMs = 0;
          this.onWritten(batch.records);
          return true;
        },
        (error: unknown) => {
          this.failedWrites++;
          this.lastError = error instanceof Error ? error.message : String(error);
          this.retryDelayMs = Math.min(this.maxRetryDelayMs, this.retryDelayMs > 0 ? this.retryDelayMs * 2 : FIRST_RETRY_DELAY_MS);
          this.onError(error, this.stats());
          return false;
        },
      )
      .finally(() => {
        this.writing = undefined;
      });
    return this.writing;
  }
}
