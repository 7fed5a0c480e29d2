/**
 * Calls `onChange` shortly after a file changes (editors save in several writes, so events are
 * debounced). Watches the folder, not the file, so a file replaced by rename (or a ConfigMap's
 * symlink swap) keeps being followed.
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
      // A Kubernetes ConfigMap updates its files by swapping the `..data` symlink they point through:
      // those events name `..data` or `..data_tmp`, never the file.
      if (changed !== null && changed !== name && !changed.startsWith("..")) return;
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
