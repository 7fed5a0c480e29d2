/**
 * Hands out a fixed set of slots (llama.cpp context sequences) to requests, with a bounded FIFO wait
 * queue. A full queue or a wait past the deadline is refused with 503 + Retry-After so clients (or
 * the router's fallback) can go elsewhere instead of piling up.
 */
import { overloaded } from "../../errors.js";

interface Waiter<T> {
  resolve(slot: T): void;
  reject(error: unknown): void;
  cleanup(): void;
}

export interface PoolOptions {
  /** Waiting requests allowed beyond the busy slots. */
  maxQueue: number;
  queueTimeoutMs: number;
  /** For error messages. */
  name: string;
}

/**
 * Which free slot a request gets: an index into `free`, which runs from the slot freed longest ago to the
 * one freed last. Only a free slot is chosen: a slot released to waiting requests goes to the first of them.
 */
export type SlotChoice<T> = (free: readonly T[]) => number;

export class SequencePool<T> {
  private readonly free: T[];
  private readonly waiters: Waiter<T>[] = [];

  constructor(
    slots: readonly T[],
    private readonly options: PoolOptions,
  ) {
    this.free = [...slots];
  }

  get queueDepth(): number {
    return this.waiters.length;
  }

  get available(): number {
    return this.free.length;
  }

  /** Without `choose`, the slot freed last. */
  acquire(signal: AbortSignal, choose?: SlotChoice<T>): Promise<T> {
    if (this.free.length > 0) {
      const index = choose ? choose(this.free) : this.free.length - 1;
      return Promise.resolve(this.free.splice(index, 1)[0] as T);
    }
    if (this.waiters.length >= this.options.maxQueue) {
      return Promise.reject(
        overloaded(`The local model '${this.options.name}' is at capacity (${this.waiters.length} requests waiting).`, 1),
      );
    }
    signal.throwIfAborted();
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        this.remove(waiter);
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        this.remove(waiter);
        reject(overloaded(`Timed out waiting for the local model '${this.options.name}'.`, 1));
      }, this.options.queueTimeoutMs);
      const waiter: Waiter<T> = {
        resolve,
        reject,
        cleanup: () => {
          clearTimeout(timer);
          signal.removeEventListener("abort", onAbort);
        },
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(slot: T): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter.cleanup();
      waiter.resolve(slot);
    } else {
      this.free.push(slot);
    }
  }

  private remove(waiter: Waiter<T>): void {
    waiter.cleanup();
    const index = this.waiters.indexOf(waiter);
    if (index >= 0) this.waiters.splice(index, 1);
  }
}
