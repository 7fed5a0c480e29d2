/**
 * OpenAI's `stop`: the answer ends before the first occurrence of any stop string, which is not
 * included. Matched on the text as it streams (a stop string may span several tokens and chunks),
 * holding back only a tail that could still become a stop string.
 *
 * node-llama-cpp has stop triggers of its own, but they match in token space and miss strings
 * that tokenize differently in context (for example any stop string starting with a space).
 *
 * Each stop string is matched by a Knuth–Morris–Pratt automaton fed every character once, and the
 * held-back tail is kept as the pieces it came in, released from a moving head: a push costs its
 * own length times the stop strings, plus the pieces it releases (each piece is released once, and
 * the released front is dropped in one copy once it is most of the array). Searching the held tail
 * again on every push cost its length, and looking for the longest partial stop string its square:
 * a client's 100,000-character stop string whose start the model kept writing ("aaaa…") held the
 * event loop for seconds within a few thousand tokens.
 */
export class StopMatcher {
  private readonly stops: StopAutomaton[];
  /** Text taken but not emitted yet: the tail that may still begin a stop string. */
  private held: string[] = [];
  /** Index of the first piece still held: pieces before it were released (see `release`). */
  private first = 0;
  private heldLength = 0;
  private matched = false;

  /**
   * Empty stop strings are left out here, the only place that does (runtime.ts passes the client's
   * and the chat template's as they are): one would end every answer before its first character.
   */
  constructor(stops: readonly string[]) {
    this.stops = stops.filter((stop) => stop.length > 0).map((stop) => new StopAutomaton(stop));
  }

  /** True once a stop string was seen: generation should end. */
  get stopped(): boolean {
    return this.matched;
  }

  /** Takes generated text; returns the text that is safe to emit now. */
  push(text: string): string {
    if (this.matched) return "";
    if (this.stops.length === 0) return text;
    // Where the earliest stop string found starts, counted from the start of what is held.
    let cut = -1;
    let hold = 0;
    for (const stop of this.stops) {
      const end = stop.feed(text);
      if (end >= 0) {
        const start = this.heldLength + end - stop.text.length;
        if (cut < 0 || start < cut) cut = start;
      } else hold = Math.max(hold, stop.state);
    }
    this.held.push(text);
    this.heldLength += text.length;
    if (cut >= 0) {
      this.matched = true;
      const out = this.held.slice(this.first).join("").slice(0, cut);
      this.clear();
      return out;
    }
    return this.release(this.heldLength - hold);
  }

  /** The held-back tail, once generation ended without a stop string. */
  flush(): string {
    const rest = this.matched ? "" : this.held.slice(this.first).join("");
    this.clear();
    return rest;
  }

  private clear(): void {
    this.held = [];
    this.first = 0;
    this.heldLength = 0;
  }

  /** The first `count` held characters, no longer held. */
  private release(count: number): string {
    if (count === 0) return "";
    const { held } = this;
    let out = "";
    let first = this.first;
    while (first < held.length && held[first]!.length <= count - out.length) out += held[first++]!;
    if (out.length < count) {
      const rest = count - out.length;
      out += held[first]!.slice(0, rest);
      held[first] = held[first]!.slice(rest);
    }
    // Splicing the released pieces off the front moved every held piece on each push: quadratic
    // while a long partial stop string stays held. The front is dropped once it is most of the array.
    if (first > 1024 && 2 * first > held.length) {
      this.held = held.slice(first);
      first = 0;
    }
    this.first = first;
    this.heldLength -= count;
    return out;
  }
}

/**
 * One stop string's matcher: `state` is the longest end of the text fed that begins the stop string.
 * Its prefix function is context/sequence-match.ts's prefixFunction over char codes, kept apart so a
 * 100,000-character stop string is not split into an array of one-character strings first.
 */
class StopAutomaton {
  state = 0;
  /** fallback[i]: the longest proper prefix of text[0..i] that is also its suffix. */
  private readonly fallback: Int32Array;

  constructor(readonly text: string) {
    this.fallback = new Int32Array(text.length);
    for (let i = 1, k = 0; i < text.length; i++) {
      while (k > 0 && text.charCodeAt(i) !== text.charCodeAt(k)) k = this.fallback[k - 1]!;
      if (text.charCodeAt(i) === text.charCodeAt(k)) k++;
      this.fallback[i] = k;
    }
  }

  /** Feeds `chunk`; returns where in it the first whole stop string ends (exclusive), or -1. */
  feed(chunk: string): number {
    const { text, fallback } = this;
    let k = this.state;
    for (let i = 0; i < chunk.length; i++) {
      const unit = chunk.charCodeAt(i);
      while (k > 0 && unit !== text.charCodeAt(k)) k = fallback[k - 1]!;
      if (unit === text.charCodeAt(k)) k++;
      if (k === text.length) {
        this.state = k;
        return i + 1;
      }
    }
    this.state = k;
    return -1;
  }
}
