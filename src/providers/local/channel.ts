/**
 * Turns a callback producer (node-llama-cpp's `onTextChunk`) into an async iterator a consumer pulls
 * from. Tokens are small and arrive at generation speed, so the buffer needs no backpressure.
 */
export class Channel<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private pending: { resolve(r: IteratorResult<T>): void; reject(e: unknown): void } | undefined;
  private done = false;
  private failure: { error: unknown } | undefined;

  constructor(private readonly onReturn: () => void = () => {}) {}

  push(value: T): void {
    if (this.done) return;
    if (this.pending) {
      const pending = this.pending;
      this.pending = undefined;
      pending.resolve({ value, done: false });
    } else {
      this.buffer.push(value);
    }
  }

  close(): void {
    this.done = true;
    this.settlePending();
  }

  fail(error: unknown): void {
    if (this.done) return;
    this.failure = { error };
    this.done = true;
    this.settlePending();
  }

  next(): Promise<IteratorResult<T>> {
    const value = this.buffer.shift();
    if (value !== undefined) return Promise.resolve({ value, done: false });
    if (this.failure) return Promise.reject(this.failure.error);
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.pending = { resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.done) {
      this.done = true;
      this.buffer.length = 0;
      this.onReturn();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private settlePending(): void {
    if (!this.pending) return;
    const pending = this.pending;
    this.pending = undefined;
    if (this.buffer.length > 0) return pending.resolve({ value: this.buffer.shift() as T, done: false });
    if (this.failure) return pending.reject(this.failure.error);
    pending.resolve({ value: undefined, done: true });
  }
}
