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

  /** Stops accepting records and writes what is left (rejects if that fails: the caller logs the loss). */
  async close(): Promise<void> {
    this.closed = true;
    await this.writing;
    await this.flush();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.writing !== undefined || this.buffer.length === 0) return;
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
