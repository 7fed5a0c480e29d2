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

  acquire(signal: AbortSignal): Promise<T> {
    const slot = this.free.pop();
    if (slot !== undefined) return Promise.resolve(slot);
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
