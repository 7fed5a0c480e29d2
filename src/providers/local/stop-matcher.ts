/**
 * OpenAI's `stop`: the answer ends before the first occurrence of any stop string, which is not
 * included. Matched on the text as it streams (a stop string may span several tokens and chunks),
 * holding back only a tail that could still become a stop string.
 *
 * node-llama-cpp has stop triggers of its own, but they match in token space and miss strings
 * that tokenize differently in context (for example any stop string starting with a space).
 */
export class StopMatcher {
  private pending = "";
  private matched = false;
  private readonly longest: number;

  constructor(private readonly stops: readonly string[]) {
    this.longest = stops.reduce((max, s) => Math.max(max, s.length), 0);
  }

  /** True once a stop string was seen: generation should end. */
  get stopped(): boolean {
    return this.matched;
  }

  /** Takes generated text; returns the text that is safe to emit now. */
  push(text: string): string {
    if (this.matched) return "";
    if (this.longest === 0) return text;
    const buffer = this.pending + text;
    let cut = -1;
    for (const stop of this.stops) {
      const at = buffer.indexOf(stop);
      if (at >= 0 && (cut < 0 || at < cut)) cut = at;
    }
    if (cut >= 0) {
      this.matched = true;
      this.pending = "";
      return buffer.slice(0, cut);
    }
    const hold = this.partialTail(buffer);
    this.pending = buffer.slice(buffer.length - hold);
    return buffer.slice(0, buffer.length - hold);
  }

  /** The held-back tail, once generation ended without a stop string. */
  flush(): string {
    const rest = this.matched ? "" : this.pending;
    this.pending = "";
    return rest;
  }

  /** Length of the longest suffix of `buffer` that is a proper prefix of some stop string. */
  private partialTail(buffer: string): number {
    for (let k = Math.min(this.longest - 1, buffer.length); k > 0; k--) {
      const tail = buffer.slice(buffer.length - k);
      if (this.stops.some((stop) => stop.length > k && stop.startsWith(tail))) return k;
    }
    return 0;
  }
}
