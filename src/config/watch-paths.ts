/**
 * Calls `onChange` when the content behind some folders or files changes, however the change was
 * made — including when the folder itself is replaced.
 *
 * `fs.watch` follows the inode it was given, not the path: after `mv new policies`, `ln -sfn new
 * current` or a Kubernetes ConfigMap mounted with `items` paths (`policies -> ..data/policies`, the
 * `..data` link swapped atomically) it keeps watching the old, now detached folder and never fires
 * again. A file that is a symlink into another folder is not seen at all by a watch on its own folder.
 * So the watch is only a fast path, and the truth is a fingerprint of what the paths resolve to:
 *
 * - every folder's real path and inode, every file's real path and a hash of its content;
 * - taken again on each (debounced) watch event and on a periodic backstop (`pollMs`), so a change is
 *   picked up within `pollMs` whatever the filesystem or mount does (NFS and some overlay/FUSE
 *   mounts send no events at all);
 * - when the resolved folders changed, the watches are re-created on them;
 * - `onChange` runs only when the fingerprint differs, so an unrelated event costs no reload.
 *
 * Content is hashed rather than compared by mtime/size: policy files are small, and mtime granularity
 * (a second on some filesystems) or a same-size rewrite must not hide an edit.
 *
 * @example
 * const w = watchPaths({ folders: ["./policies"], onChange: () => void store.reload("watch") });
 * w.close();
 */
import { createHash } from "node:crypto";
import { watch, type FSWatcher } from "node:fs";
import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, sep } from "node:path";

/**
 * A folder of which only some entries count: a policy folder also holds an editor's swap and backup
 * files, files other watches own (budgets.yaml) and notes, whose every write must not reload the policy.
 */
export interface FolderEntries {
  dir: string;
  /** The entry names that count; one that does not exist counts as missing (its creation is a change). */
  names: readonly string[];
}

export interface WatchPathsOptions {
  /**
   * Folders whose files (not subfolders) count — every file, or only the named entries; each file may
   * be a symlink to anywhere.
   */
  folders?: readonly (string | FolderEntries)[] | undefined;
  /** Single files, each may be a symlink. */
  files?: readonly string[] | undefined;
  /** Runs from a timer, so it must not throw: report failures itself (as the reloads do). */
  onChange: () => void;
  /** Quiet time after the last event before checking. Default 250 ms. */
  debounceMs?: number | undefined;
  /** Backstop: check this often even without events; 0 turns it off. Default `DEFAULT_POLL_MS`. */
  pollMs?: number | undefined;
  /**
   * Called once after the first fingerprint, unless an event already calls `onChange` then. The
   * caller read the files before this watch existed; a change in between would otherwise become the
   * baseline and never be picked up.
   */
  catchUp?: (() => void) | undefined;
  /** A folder that could not be watched (events from it are lost; the backstop still covers it). */
  onWatchError?: ((error: unknown, dir: string) => void) | undefined;
}

export interface PathWatch {
  close(): void;
}

/** Five seconds: a few small reads per interval, and an edit live well before anyone checks. */
export const DEFAULT_POLL_MS = 5_000;

const HASH_LIMIT_BYTES = 1024 * 1024;

/** A folder to watch, and the entry names whose events matter there (all of them when undefined). */
interface WatchSpec {
  dir: string;
  names: Set<string> | undefined;
}

interface Fingerprint {
  key: string;
  specs: WatchSpec[];
}

export function watchPaths(options: WatchPathsOptions): PathWatch {
  const folders = (options.folders ?? []).map((folder) => (typeof folder === "string" ? { dir: folder, names: undefined } : folder));
  const files = options.files ?? [];
  const debounceMs = options.debounceMs ?? 250;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const watchers = new Map<string, FSWatcher>();
  let baseline: string | undefined;
  // An event seen before the first fingerprint may be a change the fingerprint already includes: the
  // first check then cannot tell, and reloads to be safe.
  let eventBeforeBaseline = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;

  const schedule = () => {
    if (closed) return;
    if (baseline === undefined) eventBeforeBaseline = true;
    clearTimeout(timer);
    timer = setTimeout(() => void check(), debounceMs);
    timer.unref();
  };

  const arm = (specs: readonly WatchSpec[], identities: readonly string[]) => {
    const wanted = new Map<string, WatchSpec>();
    specs.forEach((spec, i) => wanted.set(identities[i]!, spec));
    // New watches first, then the old ones closed: no moment without a watch.
    for (const [id, spec] of wanted) {
      if (watchers.has(id)) continue;
      try {
        const watcher = watch(spec.dir, { persistent: false }, (_event, name) => {
          if (spec.names === undefined || name === null || spec.names.has(name) || name.startsWith("..")) schedule();
        });
        watcher.on("error", (error) => {
          watchers.delete(id);
          watcher.close();
          options.onWatchError?.(error, spec.dir);
        });
        watchers.set(id, watcher);
      } catch (error) {
        // A folder missing now (a shadow candidate not yet deployed) is no failure to report while the
        // periodic check runs: it records the absence and sees the folder appear.
        if (pollMs > 0 && errorCode(error) === "ENOENT") continue;
        options.onWatchError?.(error, spec.dir);
      }
    }
    for (const [id, watcher] of watchers) {
      if (wanted.has(id)) continue;
      watcher.close();
      watchers.delete(id);
    }
  };

  const checkOnce = async () => {
    const print = await fingerprint(folders, files);
    const identities = await Promise.all(print.specs.map(identity));
    if (closed) return; // close() ran while we read: open no watch it would not close
    // A folder that is missing now is not watched (nor reported again at every check): the backstop
    // sees it appear.
    const present = print.specs.filter((_, i) => identities[i] !== undefined);
    arm(present, identities.filter((id): id is string => id !== undefined));
    const first = baseline === undefined;
    const changed = first ? eventBeforeBaseline : print.key !== baseline;
    baseline = print.key;
    if (changed) options.onChange();
    else if (first) options.catchUp?.();
  };

  // One check at a time; a check asked for while one runs runs once more after it, so the last event
  // is always followed by a fingerprint taken after it.
  const check = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = checkOnce().finally(() => {
      running = undefined;
      if (again && !closed) {
        again = false;
        void check();
      }
    });
    return running;
  };

  // Watch the given paths at once (fs.watch is synchronous), so an edit made right after start-up,
  // before the first fingerprint is ready, still sends an event.
  const startSpecs = dedupe([
    ...folders.flatMap(({ dir, names }) => [{ dir, names: names && new Set(names) }, entrySpec(dir)]),
    ...files.flatMap((file) => [entrySpec(file), entrySpec(dirname(file))]),
  ]);
  arm(startSpecs, startSpecs.map((spec) => `start\0${spec.dir}`));
  void check();
  const poll = pollMs > 0 ? setInterval(() => void check(), pollMs) : undefined;
  poll?.unref();

  return {
    close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(poll);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}

/** Events for `path` itself (replaced, relinked) arrive in its parent folder, under its name. */
function entrySpec(path: string): WatchSpec {
  return { dir: dirname(path), names: new Set([basename(path)]) };
}

async function fingerprint(folders: readonly { dir: string; names: readonly string[] | undefined }[], files: readonly string[]): Promise<Fingerprint> {
  const parts: string[] = [];
  const specs: WatchSpec[] = [];
  for (const { dir: folder, names: only } of folders) {
    specs.push(entrySpec(folder));
    const real = await resolved(folder);
    if (typeof real !== "string") {
      parts.push(`folder ${folder} ${real.code}`);
      continue;
    }
    parts.push(`folder ${folder} -> ${real}`);
    specs.push({ dir: real, names: only && new Set(only) });
    let names: string[];
    try {
      // The named entries are looked at whether or not they exist (a missing one is its state): the
      // folder is still listed, so an unreadable one is a change as before.
      const listed = await readdir(real);
      names = (only ?? listed).slice().sort();
    } catch (error) {
      parts.push(`  ${errorCode(error)}`);
      continue;
    }
    for (const name of names) {
      const file = await fileState(join(real, name));
      parts.push(`  ${name} ${file.state}`);
      // A file linked from elsewhere changes where it lives: watch that folder too.
      if (file.real && isOutside(real, file.real)) specs.push(entrySpec(file.real));
    }
  }
  for (const path of files) {
    specs.push(entrySpec(path));
    // The file's folder may itself be replaced (`mv new policies` with budgets.yaml inside).
    specs.push(entrySpec(dirname(path)));
    const file = await fileState(path);
    parts.push(`file ${path} ${file.state}`);
    if (file.real && file.real !== path) specs.push(entrySpec(file.real));
  }
  return { key: parts.join("\n"), specs: dedupe(specs) };
}

/**
 * What a path resolves to and holds. A failure (missing, unreadable) is part of the state, not
 * thrown: it is the reload's job to report it, and a change from or to it must trigger one.
 */
async function fileState(path: string): Promise<{ state: string; real?: string }> {
  const real = await resolved(path);
  if (typeof real !== "string") return { state: real.code };
  try {
    const info = await stat(real);
    if (!info.isFile()) return { state: `-> ${real} ${info.isDirectory() ? "folder" : "other"}`, real };
    // The loader refuses files this large unread; hashing one every few seconds would be waste.
    if (info.size > HASH_LIMIT_BYTES) return { state: `-> ${real} ${info.dev}:${info.ino} ${info.size} ${info.mtimeMs}`, real };
    const hash = createHash("sha256").update(await readFile(real)).digest("hex");
    return { state: `-> ${real} ${hash}`, real };
  } catch (error) {
    return { state: `-> ${real} ${errorCode(error)}`, real };
  }
}

async function resolved(path: string): Promise<string | { code: string }> {
  try {
    return await realpath(path);
  } catch (error) {
    return { code: errorCode(error) };
  }
}

/**
 * A watched folder is the same only if it is the same inode: after `mv new policies` the path is
 * unchanged but the watch is on the old folder.
 */
async function identity(spec: WatchSpec): Promise<string | undefined> {
  try {
    const info = await stat(spec.dir);
    return `${spec.dir}\0${info.dev}:${info.ino}\0${[...(spec.names ?? ["*"])].sort().join("/")}`;
  } catch {
    return undefined; // missing or unreadable: nothing to watch, and the fingerprint records why
  }
}

function dedupe(specs: readonly WatchSpec[]): WatchSpec[] {
  const byDir = new Map<string, WatchSpec>();
  for (const spec of specs) {
    const seen = byDir.get(spec.dir);
    if (!seen) byDir.set(spec.dir, { dir: spec.dir, names: spec.names && new Set(spec.names) });
    else if (seen.names && spec.names) for (const name of spec.names) seen.names.add(name);
    else seen.names = undefined;
  }
  return [...byDir.values()];
}

function isOutside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}
