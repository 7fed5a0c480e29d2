/**
 * Caps concurrent CSV exports. An export reads the shared record stream and formats every row on this
 * replica's event loop: left unbounded, a few at once (one tenant's script, a dashboard left open)
 * take the gateway's CPU from the requests it serves. Exports beyond the caps are refused (429) rather
 * than queued: a queue would hold connections and memory while giving no better answer than "later".
 *
 * A slot is given back when its export ends, and in any case after `maxHoldMs`: an export whose body
 * nobody reads, errors or cancels (a response dropped by something between the route and the socket,
 * a client that stops reading) would otherwise block its key, or with two of them every export on the
 * replica, until a restart.
 */
import { GatewayError } from "../errors.js";

export interface ExportSlotsOptions {
  /** Exports running at once on this replica, all viewers together. */
  maxConcurrent?: number;
  /** Exports running at once per viewer (a tenant, or the admin key). */
  maxPerViewer?: number;
  /** Seconds a refused client is told to wait (`Retry-After`). */
  retryAfterSeconds?: number;
  /** Longest an export may hold its slot: then the slot is given back and the export is told to stop. */
  maxHoldMs?: number;
  /**
   * A viewer outside the replica's cap (the admin key), held to its per-viewer cap alone: tenants'
   * exports that stop being read hold their slots for up to `maxHoldMs`, and must not lock finance out
   * of the export meanwhile. Bounded all the same: at most `maxConcurrent` + `maxPerViewer` at once.
   */
  uncappedViewer?: string;
}

/** Default `maxHoldMs`: far longer than an export of the whole stream (200k records) takes to stream. */
export const DEFAULT_MAX_EXPORT_HOLD_MS = 10 * 60_000;

export class ExportSlots {
  private readonly maxConcurrent: number;
  private readonly maxPerViewer: number;
  private readonly retryAfterSeconds: number;
  private readonly maxHoldMs: number;
  private readonly uncappedViewer: string | undefined;
  /** Exports counted against `maxConcurrent` (the uncapped viewer's are not). */
  private running = 0;
  private readonly perViewer = new Map<string, number>();

  constructor(options: ExportSlotsOptions = {}) {
    this.maxConcurrent = options.maxConcurrent ?? 2;
    this.maxPerViewer = options.maxPerViewer ?? 1;
    this.retryAfterSeconds = options.retryAfterSeconds ?? 5;
    this.maxHoldMs = options.maxHoldMs ?? DEFAULT_MAX_EXPORT_HOLD_MS;
    this.uncappedViewer = options.uncappedViewer;
  }

  /**
   * Takes a slot for `viewer` or throws a 429; the returned function gives it back (calling it again
   * does nothing, so every way an export can end may call it). A slot not given back within
   * `maxHoldMs` is given back then, and `onExpire` is called so the export stops.
   */
  acquire(viewer: string, onExpire?: () => void): () => void {
    const mine = this.perViewer.get(viewer) ?? 0;
    const capped = viewer !== this.uncappedViewer;
    if (mine >= this.maxPerViewer || (capped && this.running >= this.maxConcurrent)) {
      const which = mine >= this.maxPerViewer ? `${this.maxPerViewer} usage export(s) at a time per key` : `${this.maxConcurrent} usage exports at a time`;
      throw new GatewayError(`Too many concurrent usage exports: this gateway runs ${which}. Retry when the running export has finished.`, {
        status: 429,
        type: "rate_limit_error",
        code: "too_many_exports",
        headers: { "retry-after": String(this.retryAfterSeconds) },
      });
    }
    if (capped) this.running++;
    this.perViewer.set(viewer, mine + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      if (capped) this.running--;
      const left = (this.perViewer.get(viewer) ?? 1) - 1;
      if (left > 0) this.perViewer.set(viewer, left);
      else this.perViewer.delete(viewer);
    };
    const timer = setTimeout(() => {
      release();
      onExpire?.();
    }, this.maxHoldMs);
    // The safety net must not keep a process that is otherwise done alive.
    timer.unref?.();
    return release;
  }
}
