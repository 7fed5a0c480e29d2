/**
 * Shadow mode: a candidate policy directory decides beside the active policy once for every served
 * chat request (dry runs serve nothing and are not counted); only the active decision is executed. Where the two disagree (a different model, or route vs deny, or a
 * different deny status) the disagreement is counted by rule pair and logged, so ops can see what a
 * change would do to real traffic before making it live.
 *
 * The candidate directory may hold only `routing.yaml`: `intents.yaml` and `models.yaml` missing from
 * it are taken from the active directory. It hot-reloads like the active policy; its counts restart
 * whenever its version changes (they describe one candidate).
 */
import type { Logger } from "pino";
import { ConfigError } from "../config/yaml-file.js";
import { decisionNeedsClassification } from "./classification-need.js";
import { loadFailure } from "./reload-result.js";
import { decide, type Decision } from "./decide.js";
import type { RequestFeatures } from "./features.js";
import { PolicyStore, type PolicyLoadFailure, type PolicySnapshot, type PolicyStoreOptions } from "./store.js";

export interface RulePairCount {
  /** Rule of the active policy. */
  active: string;
  /** Rule of the candidate. */
  candidate: string;
  count: number;
  /** The latest disagreement's outcomes, e.g. `route:local-slm` vs `route:gpt-4o-mini` or `deny:429`. */
  lastActive: string;
  lastCandidate: string;
}

export interface ShadowStats {
  dir: string;
  /** Candidate version; null while it has never loaded. */
  version: string | null;
  loadedAt: string | null;
  reloadFailures: number;
  lastError: PolicyLoadFailure | null;
  /** Counts below are since this time (the candidate's current version went live in shadow). */
  since: string | null;
  decisions: number;
  agreements: number;
  disagreements: number;
  /** Disagreements by (active rule, candidate rule), most frequent first. */
  byRulePair: RulePairCount[];
}

const MAX_PAIRS = 1000;

/** What a decision does, for comparing: the model it calls first, or the deny status. */
export function outcomeOf(decision: Decision): string {
  return decision.kind === "route" ? `route:${decision.model}` : `deny:${decision.status}`;
}

export class ShadowPolicy {
  private decisions = 0;
  private agreements = 0;
  private disagreements = 0;
  private pairs = new Map<string, RulePairCount>();
  private since: string | null;

  private constructor(
    readonly store: PolicyStore,
    private readonly dir: string,
    private readonly log: Logger,
  ) {
    this.since = store.hasSnapshot ? store.snapshot.loadedAt : null;
    store.onChange((snapshot) => {
      this.reset();
      this.since = snapshot.loadedAt;
    });
  }

  static async open(activeOptions: PolicyStoreOptions, dir: string): Promise<ShadowPolicy> {
    const options: PolicyStoreOptions = { ...activeOptions, dir, fallbackDir: activeOptions.dir, shadowDir: undefined, startupFiles: undefined, role: "shadow" };
    let store: PolicyStore;
    try {
      store = await PolicyStore.open(options);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const now = activeOptions.now ?? (() => new Date());
      // Capped like every other failed load: a candidate with thousands of problems is one log line.
      const failure: PolicyLoadFailure = loadFailure(error, "startup", dir, now());
      activeOptions.log.error({ role: "shadow", dir, problems: failure.message.split("\n") }, "shadow routing policy failed to load; shadow mode waits for a valid candidate");
      store = PolicyStore.pending(options, failure);
    }
    return new ShadowPolicy(store, dir, activeOptions.log);
  }

  /** The candidate in force; undefined while none has loaded. A request reads it once, like the active snapshot. */
  get snapshot(): PolicySnapshot | undefined {
    return this.store.hasSnapshot ? this.store.snapshot : undefined;
  }

  /**
   * Whether the candidate's decision on `features` could change with an intent, as
   * `decisionNeedsClassification` tells for the active policy: a candidate is compared on what it
   * would see as the active policy, so a request it would classify is classified for it.
   */
  needsClassification(features: RequestFeatures, options: { session: boolean }, candidate: PolicySnapshot | undefined = this.snapshot): boolean {
    if (candidate === undefined) return false;
    return decisionNeedsClassification(candidate.policy, decide(features, candidate.policy), options);
  }

  /**
   * The decision of `candidate` (default: the one in force) for `features`, counted against the
   * active decision. Call it once per served request, with the features it was finally decided on.
   * Undefined, and nothing counted, while no candidate is loaded or when `candidate` was replaced
   * since the request read it: the counts restarted for the new version, which did not see it.
   */
  compare(active: Decision, features: RequestFeatures, candidateSnapshot: PolicySnapshot | undefined = this.snapshot): Decision | undefined {
    if (candidateSnapshot === undefined || candidateSnapshot !== this.snapshot) return undefined;
    const candidate = decide(features, candidateSnapshot.policy);
    this.decisions++;
    const activeOutcome = outcomeOf(active);
    const candidateOutcome = outcomeOf(candidate);
    if (activeOutcome === candidateOutcome) {
      this.agreements++;
      return candidate;
    }
    this.disagreements++;
    const key = `${active.rule}\u0000${candidate.rule}`;
    let pair = this.pairs.get(key);
    const first = pair === undefined;
    if (!pair && this.pairs.size < MAX_PAIRS) {
      pair = { active: active.rule, candidate: candidate.rule, count: 0, lastActive: activeOutcome, lastCandidate: candidateOutcome };
      this.pairs.set(key, pair);
    }
    if (pair) {
      pair.count++;
      pair.lastActive = activeOutcome;
      pair.lastCandidate = candidateOutcome;
    }
    const fields = {
      role: "shadow",
      active: { policy: active.policy, rule: active.rule, outcome: activeOutcome },
      candidate: { policy: candidate.policy, rule: candidate.rule, outcome: candidateOutcome },
      count: pair?.count,
    };
    // The first disagreement of each rule pair at info, repeats at debug: visible without flooding.
    if (first) this.log.info(fields, "shadow policy disagrees");
    else this.log.debug(fields, "shadow policy disagrees");
    return candidate;
  }

  stats(): ShadowStats {
    const store = this.store;
    const snapshot = store.hasSnapshot ? store.snapshot : undefined;
    return {
      dir: this.dir,
      version: snapshot?.version ?? null,
      loadedAt: snapshot?.loadedAt ?? null,
      reloadFailures: store.reloadFailures,
      lastError: store.lastError,
      since: this.since,
      decisions: this.decisions,
      agreements: this.agreements,
      disagreements: this.disagreements,
      byRulePair: [...this.pairs.values()].map((pair) => ({ ...pair })).sort((a, b) => b.count - a.count),
    };
  }

  reset(): void {
    this.decisions = 0;
    this.agreements = 0;
    this.disagreements = 0;
    this.pairs = new Map();
  }
}
