/**
 * Runs async tasks one at a time, in call order. A reload reads files and swaps in what it read: two
 * at once (a file watch and SIGHUP) would let whichever finishes last win, even the older read. Reload
 * workers share one too, so their memory limits never add up (`WorkerLimits.turns`).
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Settles once every task queued so far has. */
  async idle(): Promise<void> {
    await this.tail;
  }
}
