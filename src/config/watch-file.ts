/**
 * Calls `onChange` shortly after a file changes (editors save in several writes, so events are
 * debounced). Watches the folder, not the file, so a file replaced by rename keeps being followed.
 */
import { watch, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";

export interface FileWatch {
  close(): void;
}

export function watchFile(file: string, onChange: () => void, debounceMs = 250): FileWatch {
  const name = basename(file);
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
      if (changed !== null && changed !== name) return;
      clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
    });
  } catch {
    // A folder that cannot be watched (missing, unsupported filesystem): reloads still work on demand.
    watcher = undefined;
  }
  return {
    close() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
