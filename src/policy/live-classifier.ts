/**
 * The gateway's intent classifier, swappable while it serves: `classifier train --out <folder>`
 * replaces the folder, and the next policy reload (the watch sees the folder change; SIGHUP and the
 * admin API reload too) loads the new model, checks the routing policy against its labels, and swaps
 * both in at once. A model that cannot be loaded, or that the routing policy does not accept, never
 * goes live: the previous one keeps answering.
 *
 * A swapped-out model is disposed once the calls that were running on it have finished, so its
 * ONNX session is never freed under a running inference.
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import type { IntentClassifier, IntentPrediction } from "../../classifiers/index.js";
import { modelFiles } from "../../classifiers/runtime/model-version.js";
import { readClassifierInfo, type ClassifierInfo } from "./classifier-info.js";

/** What the routing policy is checked against: the labels a classifier answers and where it came from. */
export interface ClassifierState {
  readonly labels: readonly string[];
  /** Content hash of the model folder. */
  readonly version: string;
  readonly info: ClassifierInfo;
}

/** A newer model loaded from the folder, not yet answering: the policy store commits or discards it. */
export interface PreparedClassifier extends ClassifierState {
  /** Makes it the one answering; synchronous, so it goes live in the same instant as the policy checked against it. */
  commit(): void;
  discard(): Promise<void>;
}

/** How the policy store reads the classifier and, for the store that owns it, reloads it. */
export interface ClassifierSource {
  current(): ClassifierState;
  /** Absent for a store that only reads a classifier another store reloads (the shadow candidate). */
  reload?: {
    /** Folders whose change may be a retrained model (watched with the policy folder). */
    readonly folders: readonly string[];
    /** The folder's model when it is not the one answering; undefined when nothing changed. Throws when it cannot be loaded. */
    prepare(): Promise<PreparedClassifier | undefined>;
  };
}

interface Lease {
  readonly classifier: IntentClassifier;
  readonly info: ClassifierInfo;
  /** The folder as it was when this model was read: unchanged means no reload needed. */
  stamp: string;
  running: number;
  retired: boolean;
  /** Disposed (or being disposed): never twice. */
  released: boolean;
}

export interface LiveClassifierOptions {
  dir: string;
  load: (dir: string) => Promise<IntentClassifier>;
  /** Where a swapped-out model that fails to dispose is reported (its requests were answered). */
  log: Logger;
}

/** Attempts to read a folder that keeps changing while it is loaded (a copy still being written). */
const MAX_LOAD_ATTEMPTS = 3;

export class LiveClassifier implements IntentClassifier, ClassifierSource {
  readonly reload: NonNullable<ClassifierSource["reload"]>;
  private active: Lease;

  private constructor(
    private readonly options: LiveClassifierOptions,
    first: Lease,
  ) {
    this.active = first;
    // The model lives in the folder and, for models with external weights, in onnx/ below it.
    this.reload = { folders: [options.dir, join(options.dir, "onnx")], prepare: () => this.prepare() };
  }

  static async open(options: LiveClassifierOptions): Promise<LiveClassifier> {
    return new LiveClassifier(options, await loadLease(options));
  }

  get labels(): readonly string[] {
    return this.active.classifier.labels;
  }

  get version(): string {
    return this.active.classifier.version;
  }

  current(): ClassifierState {
    return stateOf(this.active);
  }

  async classify(text: string): Promise<IntentPrediction> {
    const lease = this.active;
    if (lease.released) throw new Error("the intent classifier is closed (the gateway is shutting down)");
    lease.running++;
    try {
      return await lease.classifier.classify(text);
    } finally {
      lease.running--;
      if (lease.retired && lease.running === 0) void this.release(lease);
    }
  }

  /** Frees the model answering now, at once or when its last running call ends (a swapped-out one frees itself so). */
  async dispose(): Promise<void> {
    this.active.retired = true;
    if (this.active.running === 0) await this.release(this.active);
  }

  private async prepare(): Promise<PreparedClassifier | undefined> {
    const before = await folderStamp(this.options.dir);
    if (before === this.active.stamp) return undefined;
    const lease = await loadLease(this.options);
    if (lease.classifier.version === this.active.classifier.version) {
      // Touched or copied over with the same bytes: nothing to swap, and no reason to look again.
      this.active.stamp = lease.stamp;
      await lease.classifier.dispose();
      return undefined;
    }
    return {
      ...stateOf(lease),
      commit: () => {
        const previous = this.active;
        this.active = lease;
        previous.retired = true;
        // Else the last call running on it frees it.
        if (previous.running === 0) void this.release(previous);
      },
      discard: () => lease.classifier.dispose(),
    };
  }

  private async release(lease: Lease): Promise<void> {
    if (lease.released) return;
    lease.released = true;
    try {
      await lease.classifier.dispose();
    } catch (error) {
      this.options.log.error({ err: error, classifier: { dir: this.options.dir, version: lease.classifier.version } }, "intent classifier: a swapped-out model could not be disposed");
    }
  }
}

function stateOf(lease: Lease): ClassifierState {
  return { labels: lease.classifier.labels, version: lease.classifier.version, info: lease.info };
}

/**
 * Loads the folder's model with the stamp it was read under. The trainer swaps whole folders, but a
 * model copied in file by file may be read half-written: when the folder changed during the load,
 * it is read again.
 */
async function loadLease(options: LiveClassifierOptions): Promise<Lease> {
  for (let attempt = 1; ; attempt++) {
    const before = await folderStamp(options.dir);
    const classifier = await options.load(options.dir);
    const info = await readClassifierInfo(options.dir);
    const after = await folderStamp(options.dir);
    if (before === after || attempt === MAX_LOAD_ATTEMPTS) return { classifier, info, stamp: before, running: 0, retired: false, released: false };
    await classifier.dispose();
  }
}

/**
 * A cheap fingerprint of the folder's files (paths, inodes, sizes, modification times): the model's
 * own version is a content hash of several megabytes, too much to compute at every policy reload.
 */
async function folderStamp(dir: string): Promise<string> {
  try {
    const parts = await Promise.all(
      (await modelFiles(dir)).map(async (file) => {
        // Through links to what they point at: relinking one file to a new blob is a new model.
        const info = await stat(join(dir, file), { bigint: true });
        return `${file}\0${info.dev}:${info.ino}\0${info.size}\0${info.mtimeNs}`;
      }),
    );
    const folder = await stat(dir, { bigint: true });
    return `${folder.ino}\n${parts.join("\n")}`;
  } catch (error) {
    // Missing or unreadable: a state of its own, so the loader runs and reports why.
    return `unreadable: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  }
}
