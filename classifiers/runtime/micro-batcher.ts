/**
 * Coalesces concurrent requests into batches: whatever arrives while a batch runs goes into the next
 * one. A lone request runs at once (no timer, no added latency); under load one ONNX Runtime call
 * serves many requests, which costs far less than one call each.
 */
export class MicroBatcher<Input, Output> {
  private pending: { input: Input; resolve: (output: Output) => void; reject: (error: unknown) => void }[] = [];
  private draining = false;

  constructor(
    private readonly runBatch: (inputs: Input[]) => Promise<Output[]>,
    private readonly maxBatch = 64,
  ) {}

  submit(input: Input): Promise<Output> {
    return new Promise<Output>((resolve, reject) => {
      this.pending.push({ input, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        // Start after the current task's synchronous code, so calls made together share the first batch.
        queueMicrotask(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        const outputs = await this.runBatch(batch.map((item) => item.input));
        batch.forEach((item, i) => item.resolve(outputs[i] as Output));
      } catch (error) {
        for (const item of batch) item.reject(error);
      }
    }
    this.draining = false;
  }
}
