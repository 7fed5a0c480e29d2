/**
 * Calls `onChange` shortly after a file's content changes: edited in place, saved by rename, swapped
 * through a Kubernetes ConfigMap's `..data` symlink, linked to a file elsewhere, or its whole folder
 * replaced. `watchPaths` explains how (events as a fast path, a fingerprint as the truth, a periodic
 * backstop); other files of the folder changing never call it.
 */
import { watchPaths, type PathWatch } from "./watch-paths.js";

export type FileWatch = PathWatch;

export interface WatchFileOptions {
  /** Quiet time after the last event before checking. Default 250 ms. */
  debounceMs?: number | undefined;
  /** Backstop check interval; 0 turns it off. Default `DEFAULT_POLL_MS`. */
  pollMs?: number | undefined;
  /** Call `onChange` once when the watch is ready (see `WatchPathsOptions.catchUp`). */
  catchUp?: boolean | undefined;
  onWatchError?: ((error: unknown, dir: string) => void) | undefined;
}

export function watchFile(file: string, onChange: () => void, options: WatchFileOptions = {}): FileWatch {
  const { debounceMs, pollMs, catchUp, onWatchError } = options;
  return watchPaths({ files: [file], onChange, debounceMs, pollMs, catchUp: catchUp ? onChange : undefined, onWatchError });
}
