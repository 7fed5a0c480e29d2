/**
 * The active routing policy and its hot reload. The store holds one immutable snapshot (compiled
 * policy + version + files); a reload builds and validates a complete new snapshot off to the side and
 * swaps it in with a single assignment, so a request that read the snapshot once decides, executes and
 * reports with exactly one version. An invalid policy never goes live: the last good one keeps
 * serving, and the error is kept (`lastError`), counted (`reloadFailures`), logged and passed to
 * `onReloadFailed` listeners (the gateway's metric), whatever triggered the reload.
 *
 * Reload triggers: a change in the policy directory (debounced; found by `watchPaths`, which also
 * follows the directory when it is replaced and checks every `pollMs` in case no event comes),
 * `reload()` on demand (the admin route, SIGHUP — wired by the gateway), and nothing else: requests
 * never wait for a reload.
 */
import { basename, dirname, resolve } from "node:path";
import type { Logger } from "pino";
import { DEFAULT_POLL_MS, watchPaths, type PathWatch } from "../config/watch-paths.js";
import { ConfigError, type ConfigProblem } from "../config/yaml-file.js";
import type { ModelRegistry } from "../models/registry.js";
import { SerialQueue } from "../serial-queue.js";
import type { PiiHashKey } from "./check-files.js";
import type { ClassifierInfo } from "./classifier-info.js";
import type { CompiledPolicy } from "./compile.js";
import { decide, type Decision } from "./decide.js";
import type { RequestFeatures } from "./features.js";
import type { ClassifierSource, ClassifierState, PreparedClassifier } from "./live-classifier.js";
import { loadPolicyDir, misnamedFiles, policyFileInfo, type LoadPolicyOptions, type PolicyFileInfo } from "./load.js";
import { loadFailure, omittedOf, problemsOf } from "./reload-result.js";
import { MODELS_FILE, POLICY_FOLDER_FILES, ROUTING_POLICY_FILES } from "./schema.js";
import { ShadowPolicy, type ShadowStats } from "./shadow.js";
import { restartWarnings, type StartupFile } from "./startup-files.js";

export interface PolicySnapshot {
  readonly version: string;
  readonly policy: CompiledPolicy;
  /** ISO time this version went live. */
  readonly loadedAt: string;
  readonly files: readonly PolicyFileInfo[];
  readonly warnings: readonly string[];
  /** The intent classifier the policy was checked against and goes live with (its folder's content hash). */
  readonly classifierVersion?: string | undefined;
}

export type ReloadTrigger = "startup" | "watch" | "admin" | "signal" | "manual";

export interface PolicyLoadFailure {
  /** ISO time of the failed attempt. */
  at: string;
  trigger: ReloadTrigger;
  /** One line per problem: `file:line:col: path: message`. */
  message: string;
  /** The first problems (`MAX_REPORTED_PROBLEMS`) of each failed load: the routing policy's files together, budgets.yaml. */
  problems: ConfigProblem[];
  /** Every problem found, listed or not. */
  problemCount: number;
}

export type ReloadResult =
  /** `warnings`: start-up-only files edited on disk since start-up (a restart applies them); absent when none. */
  | { ok: true; changed: boolean; version: string; warnings?: readonly string[] }
  | { ok: false; version: string; error: PolicyLoadFailure };

export interface PolicyStoreOptions {
  /** The policy directory. */
  dir: string;
  log: Logger;
  /** The gateway's model registry; without it models.yaml is read from the directory on every load. */
  registry?: ModelRegistry | undefined;
  /**
   * With `registry`: the models.yaml it was built from, hashed into every version. Default: the file
   * as `open` finds it, kept for every reload (the registry does not reload either).
   */
  modelsFile?: PolicyFileInfo | undefined;
  /** The loaded classifier's labels, read at each load (intent names in rules must be among them). */
  labels?: (() => readonly string[] | undefined) | undefined;
  /** The loaded classifier's folder and training-data hash: intents.yaml ahead of it is warned about at each load. */
  classifier?: ClassifierInfo | undefined;
  /**
   * The gateway's live classifier, instead of `labels` and `classifier`: each load checks the policy
   * against it and, when it can reload, against a model retrained into its folder since, which then
   * goes live with the policy (or not at all, when the policy does not accept it).
   */
  classifierSource?: ClassifierSource | undefined;
  /**
   * The PII engine's entity types, read at each load (`pii_found` names must be among them). Default:
   * pii.yaml's as on disk at each load, which the running engine may not have read.
   */
  piiTypes?: (() => readonly string[] | undefined) | undefined;
  /** The PII engine's hash key (read at start-up only, like the engine): a `pii: hash` action needs it set. */
  piiHashKey?: PiiHashKey | undefined;
  /** Files the gateway read at start-up only (`recordStartupFiles`): each reload warns about those edited since. */
  startupFiles?: readonly StartupFile[] | undefined;
  /** A candidate policy directory evaluated beside the active one (shadow mode). */
  shadowDir?: string | undefined;
  /**
   * How reloads parse and check the files (`checkPolicyFilesOffThread`: on a worker, so requests
   * never wait for a reload). Default: on this thread. The first load, before the gateway serves,
   * always runs on this thread.
   */
  check?: LoadPolicyOptions["check"];
  /** Aborted when the gateway closes (and stops `check`'s workers): a reload failing then is no failed reload. */
  stopSignal?: AbortSignal | undefined;
  /** Quiet time after the last file event before reloading. Default 250 ms. */
  debounceMs?: number | undefined;
  /**
   * While watching: how often the directory is checked even without file events (they stop when the
   * directory is replaced, and some mounts never send them). 0 turns the check off. Default 5 s.
   */
  pollMs?: number | undefined;
  /** Clock for `loadedAt`/`at` stamps (tests). */
  now?: (() => Date) | undefined;
  /** @internal Files missing from `dir` are looked up here (a shadow candidate's intents.yaml/models.yaml). */
  fallbackDir?: string | undefined;
  /** @internal Log name: `active` or `shadow`. */
  role?: "active" | "shadow" | undefined;
}

export interface StoreDecision {
  snapshot: PolicySnapshot;
  decision: Decision;
}

export interface PolicyStatus {
  dir: string;
  version: string;
  loadedAt: string;
  files: readonly PolicyFileInfo[];
  warnings: readonly string[];
  rules: number;
  reloads: number;
  reloadFailures: number;
  lastError: PolicyLoadFailure | null;
  shadow: ShadowStats | null;
  /** The live intent classifier, when the store was given one. */
  classifier: { dir: string; version: string; labels: number } | null;
}

export class PolicyStore {
  private current: PolicySnapshot;
  private failure: PolicyLoadFailure | null = null;
  private reloadCount = 0;
  private failureCount = 0;
  /** The last reload's warnings about start-up-only files edited since (shown with the snapshot's). */
  private restartNotes: readonly string[] = [];
  /** Policy files in the folder saved under a name never read (`budgets.yml`), as of the last load. */
  private folderNotes: readonly string[] = [];
  private readonly queue = new SerialQueue();
  private watcher: PathWatch | undefined;
  private closed = false;
  private readonly listeners = new Set<(snapshot: PolicySnapshot) => void>();
  private readonly failureListeners = new Set<(failure: PolicyLoadFailure) => void>();
  readonly shadow: ShadowPolicy | undefined;

  private constructor(
    private readonly options: PolicyStoreOptions,
    first: PolicySnapshot,
    shadow: ShadowPolicy | undefined,
  ) {
    this.current = first;
    this.shadow = shadow;
  }

  /**
   * Loads the policy (and the shadow candidate, if configured). An invalid active policy at start-up
   * throws `ConfigError` (there is no last good version to keep serving); an invalid shadow candidate
   * is only recorded in its stats, since it never serves.
   */
  static async open(given: PolicyStoreOptions): Promise<PolicyStore> {
    const options: PolicyStoreOptions =
      given.registry && !given.modelsFile ? { ...given, modelsFile: await policyFileInfo(MODELS_FILE, given.dir, given.fallbackDir) } : given;
    const now = options.now ?? (() => new Date());
    const classifier = options.classifierSource?.current();
    const loaded = await loadPolicyDir({ ...loadOptions(options, classifier), check: undefined });
    const snapshot = freeze({ version: loaded.policy.version, policy: loaded.policy, loadedAt: now().toISOString(), files: loaded.files, warnings: loaded.warnings, classifierVersion: classifier?.version });
    let shadow: ShadowPolicy | undefined;
    if (options.shadowDir) shadow = await ShadowPolicy.open({ ...options, shadowDir: undefined, classifierSource: readOnly(options.classifierSource) }, options.shadowDir);
    const store = new PolicyStore(options, snapshot, shadow);
    for (const warning of loaded.warnings) options.log.warn({ policy: snapshot.version }, `routing policy: ${warning}`);
    await store.noteFolder("startup");
    options.log.info({ policy: snapshot.version, dir: options.dir, role: options.role ?? "active", rules: loaded.policy.rules.length }, "routing policy loaded");
    return store;
  }

  /** @internal Used by ShadowPolicy for a candidate that failed to load at start-up. */
  static pending(options: PolicyStoreOptions, failure: PolicyLoadFailure): PolicyStore {
    const store = new PolicyStore(options, undefined as unknown as PolicySnapshot, undefined);
    store.failure = failure;
    store.failureCount = 1;
    return store;
  }

  /** The policy requests use now. Read it once per request and use that object throughout. */
  get snapshot(): PolicySnapshot {
    return this.current;
  }

  get version(): string {
    return this.current.version;
  }

  /** Failed reloads since start (a metric: `switchyard_policy_reload_failures_total`). */
  get reloadFailures(): number {
    return this.failureCount;
  }

  /**
   * Successful reloads that changed the version (routing.yaml, intents.yaml, a retrained classifier).
   * `GET /admin/policies` adds budgets.yaml's (`statusWith`).
   */
  get reloads(): number {
    return this.reloadCount;
  }

  /** The most recent failed load, until a later load succeeds. */
  get lastError(): PolicyLoadFailure | null {
    return this.failure;
  }

  /**
   * Decides with the active snapshot — or with `snapshot`, the one this request already read (so its
   * header names, decision and catalog all come from one version). It counts nothing, so a request
   * may decide more than once on its way (before and after the scan or the classifier); in shadow
   * mode the caller compares its final decision once with `shadow.compare`.
   */
  decide(features: RequestFeatures, snapshot: PolicySnapshot = this.current): StoreDecision {
    return { snapshot, decision: decide(features, snapshot.policy) };
  }

  /** Called after each successful swap to a new version. Returns an unsubscribe function. */
  onChange(listener: (snapshot: PolicySnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Called after each failed load, whatever triggered it (file watch, admin API, SIGHUP), so a
   * counter fed from here sees every invalid edit. Returns an unsubscribe function.
   */
  onReloadFailed(listener: (failure: PolicyLoadFailure) => void): () => void {
    this.failureListeners.add(listener);
    return () => this.failureListeners.delete(listener);
  }

  /**
   * Loads the directory again; if it is valid and different, swaps it in. Reloads run one at a time,
   * in call order. In shadow mode the candidate reloads too (its outcome shows in `shadow` stats).
   */
  reload(trigger: ReloadTrigger = "manual"): Promise<ReloadResult> {
    // A SIGHUP or a file event may come while the gateway shuts down: nothing is left to serve it.
    if (this.closed) return Promise.resolve(this.stopped(loadFailure(new Error("the policy store is closed"), trigger, this.options.dir, this.now()), trigger));
    const run = this.queue.run(() => this.load(trigger));
    if (!this.shadow) return run;
    // After the active load: it may swap in a retrained classifier, which the candidate is checked against.
    const shadow = this.shadow;
    return run.then(async (result) => {
      await shadow.store.reload(trigger);
      return result;
    });
  }

  /**
   * Reloads on changes in the policy directory (and the shadow directory), after `debounceMs` of
   * quiet, and at most `pollMs` after a change no event reported (the directory replaced by `mv` or a
   * symlink swap, a policy file linked from elsewhere, a mount without events).
   */
  watch(): this {
    if (this.closed || this.watcher) return this;
    const { dir, log } = this.options;
    this.watcher = watchPaths({
      // Not `fallbackDir`: only a shadow candidate has one, the active folder, whose store's own watch
      // reloads the candidate too (this watch starts from it); watching it here would read and hash
      // that folder twice per check and reload the candidate twice per edit.
      // Of the policy folder, only the files a reload reads or warns about: an editor's swap file, a
      // note or budgets.yaml (its own watch) written there must not reload, and so re-report an invalid
      // routing.yaml as one more failure. The classifier's folders count whole.
      folders: [{ dir, names: reloadedFiles(this.options) }, ...(this.options.classifierSource?.reload?.folders ?? [])],
      // Only a change of the files' content or of where they resolve calls this; the reload still
      // hashes what it reads, so a change that compiles to the same policy stays a no-op.
      onChange: () => void this.reload("watch"),
      debounceMs: this.options.debounceMs ?? 250,
      pollMs: this.options.pollMs,
      // The snapshot was read before the watch existed: loading it once more (a no-op when nothing
      // changed) covers the gap. Only this store: the shadow candidate's own watch covers its gap, and
      // a candidate that failed at start-up has no snapshot to catch up, only its failure counted once.
      catchUp: this.hasSnapshot ? () => void this.queue.run(() => this.load("watch")) : undefined,
      onWatchError: (error, watched) =>
        log.error({ err: error, dir: watched }, `${this.options.role === "shadow" ? "shadow " : ""}routing policy: cannot watch a folder; changes are still found every ${this.options.pollMs ?? DEFAULT_POLL_MS} ms, or reload with SIGHUP or the admin API`),
    });
    this.shadow?.store.watch();
    return this;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watcher?.close();
    this.watcher = undefined;
    await this.shadow?.store.close();
    await this.queue.idle();
  }

  status(): PolicyStatus {
    const snapshot = this.current;
    return {
      dir: this.options.dir,
      version: snapshot.version,
      loadedAt: snapshot.loadedAt,
      files: snapshot.files,
      warnings: [...snapshot.warnings, ...this.folderNotes, ...this.restartNotes],
      rules: snapshot.policy.rules.length,
      reloads: this.reloadCount,
      reloadFailures: this.failureCount,
      lastError: this.failure,
      shadow: this.shadow ? this.shadow.stats() : null,
      classifier: this.classifierStatus(),
    };
  }

  private classifierStatus(): PolicyStatus["classifier"] {
    const state = this.options.classifierSource?.current();
    return state ? { dir: state.info.dir, version: state.version, labels: state.labels.length } : null;
  }

  /** @internal */
  get hasSnapshot(): boolean {
    return this.current !== undefined;
  }

  /**
   * Looks at the folder's names again. Every load, whether it succeeds, fails or changes nothing: a
   * `budgets.yml` renamed to budgets.yaml changes no policy version, and must not stay warned about
   * until a restart. Logged when new.
   */
  private async noteFolder(trigger: ReloadTrigger): Promise<void> {
    // A shadow folder holds only a candidate routing policy: budgets and context are not read there.
    const notes = await misnamedFiles(this.options.dir, this.options.role === "shadow" ? ROUTING_POLICY_FILES : POLICY_FOLDER_FILES);
    for (const note of notes) {
      if (!this.folderNotes.includes(note)) this.options.log.warn({ trigger, role: this.options.role ?? "active" }, `policy folder: ${note}`);
    }
    this.folderNotes = notes;
  }

  private async load(trigger: ReloadTrigger): Promise<ReloadResult> {
    await this.noteFolder(trigger);
    // A retrained model that cannot be loaded, or that the policy files refuse, does not hold back
    // those files: they load against the classifier answering now, and the reload still fails,
    // saying why the model was not taken.
    const { prepared, problem } = await prepareClassifier(this.options.classifierSource);
    if (prepared) {
      try {
        return await this.apply(await loadPolicyDir(loadOptions(this.options, prepared)), prepared, trigger);
      } catch (refused) {
        await prepared.discard();
        const answering = this.options.classifierSource?.current();
        let files: Awaited<ReturnType<typeof loadPolicyDir>>;
        try {
          files = await loadPolicyDir(loadOptions(this.options, answering));
        } catch (error) {
          // Invalid whatever the model: the files' problems are the news, not the model.
          return this.failed(notTaken(prepared, "the policy files do not load (below)", error, this.options.dir), trigger);
        }
        await this.apply(files, answering, trigger);
        return this.failed(notTaken(prepared, "the policy files refuse its labels (below)", refused, this.options.dir), trigger);
      }
    }
    let applied: ReloadResult;
    try {
      const answering = this.options.classifierSource?.current();
      applied = await this.apply(await loadPolicyDir(loadOptions(this.options, answering)), answering, trigger);
    } catch (error) {
      return this.failed(problem ? new ConfigError([...problem.problems, ...problemsOf(error, this.options.dir)], omittedOf(error)) : error, trigger);
    }
    return problem ? this.failed(problem, trigger) : applied;
  }

  /** Swaps in a loaded policy (with the retrained classifier it was checked against) unless nothing changed. */
  private async apply(loaded: Awaited<ReturnType<typeof loadPolicyDir>>, classifier: ClassifierState | PreparedClassifier | undefined, trigger: ReloadTrigger): Promise<ReloadResult> {
    const retrained = classifier && "commit" in classifier ? classifier : undefined;
    const { log } = this.options;
    const role = this.options.role ?? "active";
    this.failure = null;
    // Every reload, changed or not: editing pii.yaml alone triggers one (the directory watch) and
    // must say that it did not apply (a shadow candidate is given none: the active store says it).
    const restart = await restartWarnings(this.options.startupFiles ?? []);
    this.restartNotes = restart;
    for (const warning of restart) log.warn({ trigger, role }, `routing policy reload: ${warning}`);
    const noted = restart.length > 0 ? { warnings: restart } : {};
    const previous = this.current as PolicySnapshot | undefined;
    if (previous && previous.version === loaded.policy.version && !retrained) return { ok: true, changed: false, version: previous.version, ...noted };
    const snapshot = freeze({ version: loaded.policy.version, policy: loaded.policy, loadedAt: this.now().toISOString(), files: loaded.files, warnings: loaded.warnings, classifierVersion: classifier?.version });
    // The swap: the classifier and the policy checked against it go live in one synchronous step.
    retrained?.commit();
    this.current = snapshot;
    this.reloadCount++;
    if (retrained) log.info({ classifier: { dir: retrained.info.dir, version: retrained.version, previous: previous?.classifierVersion, labels: retrained.labels.length }, trigger, role }, "intent classifier reloaded");
    for (const warning of loaded.warnings) log.warn({ policy: snapshot.version, role }, `routing policy: ${warning}`);
    log.info({ policy: snapshot.version, previous: previous?.version, trigger, role, rules: loaded.policy.rules.length }, "routing policy reloaded");
    for (const listener of this.listeners) {
      try {
        listener(snapshot);
      } catch (error) {
        log.error({ err: error }, "routing policy: change listener failed");
      }
    }
    return { ok: true, changed: true, version: snapshot.version, ...noted };
  }

  private now(): Date {
    return (this.options.now ?? (() => new Date()))();
  }

  /** A reload the gateway's shutdown stopped, or that came after it: no failure to count, alert on or show. */
  private stopped(failure: PolicyLoadFailure, trigger: ReloadTrigger): ReloadResult {
    this.options.log.info({ trigger, role: this.options.role ?? "active" }, "routing policy reload stopped: the gateway is shutting down");
    return { ok: false, version: this.current?.version ?? "none", error: failure };
  }

  private failed(error: unknown, trigger: ReloadTrigger): ReloadResult {
    const { log } = this.options;
    const failure = loadFailure(error, trigger, this.options.dir, this.now());
    if (this.options.stopSignal?.aborted) return this.stopped(failure, trigger);
    this.failure = failure;
    this.failureCount++;
    log.error({ trigger, role: this.options.role ?? "active", active: this.current?.version, problems: failure.message.split("\n") }, "routing policy reload failed; the previous version keeps serving");
    for (const listener of this.failureListeners) {
      try {
        listener(failure);
      } catch (listenerError) {
        log.error({ err: listenerError }, "routing policy: failure listener failed");
      }
    }
    return { ok: false, version: this.current?.version ?? "none", error: failure };
  }
}

/**
 * The names in the policy folder whose change a reload can act on: the files `loadPolicyDir` reads and
 * the start-up-only files in that folder it warns about. Not the `.yml` names `noteFolder` warns about:
 * each save of one would reload, and report an invalid routing.yaml, once more.
 */
function reloadedFiles(options: PolicyStoreOptions): string[] {
  const startup = (options.startupFiles ?? []).filter((file) => resolve(dirname(file.path)) === resolve(options.dir)).map((file) => basename(file.path));
  return [...new Set([...ROUTING_POLICY_FILES, ...startup])];
}

/** What a policy load checks intent names against: the live classifier when the store has one. */
function loadOptions(options: PolicyStoreOptions, classifier: ClassifierState | undefined): LoadPolicyOptions {
  return {
    dir: options.dir,
    fallbackDir: options.fallbackDir,
    registry: options.registry,
    modelsFile: options.modelsFile,
    labels: classifier ? classifier.labels : options.labels?.(),
    classifier: classifier ? classifier.info : options.classifier,
    piiTypes: options.piiTypes?.(),
    piiHashKey: options.piiHashKey,
    check: options.check,
  };
}

/** A model retrained into the classifier's folder, or why it cannot be loaded (as a problem on that folder). */
async function prepareClassifier(source: ClassifierSource | undefined): Promise<{ prepared?: PreparedClassifier | undefined; problem?: ConfigError }> {
  if (!source?.reload) return {};
  try {
    return { prepared: await source.reload.prepare() };
  } catch (error) {
    const message = `the intent classifier in this folder cannot be loaded, so the previous one keeps answering: ${error instanceof Error ? error.message : String(error)}`;
    return { problem: new ConfigError([{ file: source.current().info.dir, line: 0, col: 0, path: "", message }]) };
  }
}

/** Why a retrained model did not go live, with the problems behind it. */
function notTaken(model: PreparedClassifier, why: string, error: unknown, policyDir: string): ConfigError {
  const note = { file: model.info.dir, line: 0, col: 0, path: "", message: `the retrained intent classifier in this folder is not taken: ${why}; the previous one keeps answering` };
  return new ConfigError([note, ...problemsOf(error, policyDir)], omittedOf(error));
}

/** The shadow candidate checks against the active store's classifier but never reloads it. */
function readOnly(source: ClassifierSource | undefined): ClassifierSource | undefined {
  return source && { current: () => source.current() };
}

function freeze(snapshot: PolicySnapshot): PolicySnapshot {
  return Object.freeze(snapshot);
}
