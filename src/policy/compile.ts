/**
 * Turns a validated routing file into closures and lookup sets once per policy version, so `decide`
 * walks arrays and does set lookups only: no parsing, string building or allocation per condition.
 */
import type { Location } from "../models/registry.js";
import type { CatalogModel, PolicyCatalog } from "./catalog.js";
import type { RequestFeatures } from "./features.js";
import {
  TARGET_CLOUD,
  TARGET_INTENT_DEFAULT,
  TARGET_LOCAL,
  TARGET_REQUESTED,
  type Action,
  type Conditions,
  type Deny,
  type PiiRouteAction,
  type RoutingFile,
  type Sticky,
} from "./schema.js";

/** A compiled condition: `holds` tests it; `miss` says, briefly, why it did not hold, `hit` what held. */
export interface Test {
  holds(features: RequestFeatures): boolean;
  miss: string;
  hit: string;
}

export type TargetRef =
  | { type: "model"; spec: string; model: CatalogModel }
  | { type: "intent_default"; spec: string }
  | { type: "requested"; spec: string };

export interface CompiledAction {
  deny: Deny | undefined;
  targets: readonly TargetRef[];
  maxTokens: number | undefined;
  pii: PiiRouteAction;
  pin: boolean;
  degrade: boolean;
  elseDeny: Deny | undefined;
}

export interface CompiledRule {
  name: string;
  index: number;
  /** All must hold; each `miss` is already prefixed with the rule's name. */
  tests: readonly Test[];
  action: CompiledAction;
}

export interface CompiledPolicy {
  /** Content hash of the files this policy was built from. */
  readonly version: string;
  readonly source: RoutingFile;
  readonly catalog: PolicyCatalog;
  readonly rules: readonly CompiledRule[];
  readonly defaultAction: CompiledAction;
  /** Intent → its default route (intents.yaml). */
  readonly intentRoutes: ReadonlyMap<string, Location>;
  /** Where `intent_default` goes without an intent route: the default model of `unclassified_route`. */
  readonly unclassifiedRoute: Location;
  readonly sticky: Sticky | undefined;
  readonly degrade: RoutingFile["degrade"];
  /** Every request header a condition reads (lower case): what the pipeline copies into `features.headers`. */
  readonly headerNames: readonly string[];
  /** Index of the first rule whose conditions read the classifier's output (`rules.length` if none). */
  readonly firstIntentRule: number;
  /** Index of the first rule whose conditions read the PII scan (`pii_found`; `rules.length` if none). */
  readonly firstPiiRule: number;
}

export interface CompileContext {
  version: string;
  catalog: PolicyCatalog;
  intentRoutes: ReadonlyMap<string, Location>;
}

/**
 * Compiles a routing file whose references were already checked (see `checkReferences` in load.ts).
 * A target that does not resolve here is a programming error and throws.
 */
export function compilePolicy(file: RoutingFile, context: CompileContext): CompiledPolicy {
  const headerNames = new Set<string>();
  const rules = file.rules.map((rule, index): CompiledRule => ({
    name: rule.name,
    index,
    tests: compileConditions(rule.when, headerNames, context.intentRoutes).map((test) => ({ ...test, miss: `${rule.name}: ${test.miss}` })),
    action: compileAction(rule.then, context.catalog),
  }));
  return {
    version: context.version,
    source: file,
    catalog: context.catalog,
    rules,
    defaultAction: compileAction(file.default, context.catalog),
    intentRoutes: context.intentRoutes,
    unclassifiedRoute: file.unclassified_route,
    sticky: file.sticky && file.sticky.turns > 0 ? file.sticky : undefined,
    degrade: file.degrade,
    headerNames: [...headerNames].sort(),
    firstIntentRule: firstIndex(file.rules, (rule) => reads(rule.when, CLASSIFIER_CONDITIONS)),
    firstPiiRule: firstIndex(file.rules, (rule) => reads(rule.when, PII_CONDITIONS)),
  };
}

const CLASSIFIER_CONDITIONS = ["intent", "intent_route", "unsure", "confidence_below", "confidence_above"] as const;
const PII_CONDITIONS = ["pii_found"] as const;

/** Whether the conditions, or any nested in `any`/`not`, use one of `keys`. */
function reads(conditions: Conditions, keys: readonly (keyof Conditions)[]): boolean {
  if (keys.some((key) => conditions[key] !== undefined)) return true;
  return (conditions.any ?? []).some((nested) => reads(nested, keys)) || (conditions.not !== undefined && reads(conditions.not, keys));
}

/**
 * Whether a rule at index `first` or later could have made `decision`: it fired, or no rule fired
 * and such a rule exists. Rules before `first` match the same whatever those later rules read.
 */
export function decidedFromRule(policy: CompiledPolicy, decision: { ruleIndex: number }, first: number): boolean {
  return decision.ruleIndex < 0 ? first < policy.rules.length : decision.ruleIndex >= first;
}

function firstIndex<T>(items: readonly T[], test: (item: T) => boolean): number {
  const index = items.findIndex(test);
  return index < 0 ? items.length : index;
}

/** Resolves a static target (`local`, `cloud` or a model id); undefined for dynamic ones or unknown ids. */
export function resolveStaticTarget(spec: string, catalog: PolicyCatalog): CatalogModel | undefined {
  if (spec === TARGET_LOCAL) return catalog.defaultLocal;
  if (spec === TARGET_CLOUD) return catalog.defaultCloud;
  return catalog.models.get(spec);
}

export function isDynamicTarget(spec: string): boolean {
  return spec === TARGET_INTENT_DEFAULT || spec === TARGET_REQUESTED;
}

function compileAction(action: Action, catalog: PolicyCatalog): CompiledAction {
  const targets: TargetRef[] = [];
  if (!action.deny && action.route !== undefined) {
    for (const spec of [action.route, ...action.fallbacks]) {
      if (spec === TARGET_INTENT_DEFAULT) targets.push({ type: "intent_default", spec });
      else if (spec === TARGET_REQUESTED) targets.push({ type: "requested", spec });
      else {
        const model = resolveStaticTarget(spec, catalog);
        if (!model) throw new Error(`unresolved routing target '${spec}'`);
        targets.push({ type: "model", spec, model });
      }
    }
  }
  return {
    deny: action.deny,
    targets,
    maxTokens: action.max_tokens,
    pii: action.pii,
    pin: action.pin,
    degrade: action.degrade,
    elseDeny: action.else_deny,
  };
}

const list = (values: readonly string[]) => values.join("|");
const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const test = (holds: (features: RequestFeatures) => boolean, hit: string, miss: string): Test => ({ holds, hit, miss });

function oneOf(label: string, values: readonly string[], read: (features: RequestFeatures) => string | undefined): Test {
  if (values.length === 1) {
    const only = values[0];
    return test((f) => read(f) === only, `${label} is ${only}`, `${label} is not ${only}`);
  }
  const set = new Set(values);
  return test(
    (f) => {
      const value = read(f);
      return value !== undefined && set.has(value);
    },
    `${label} is ${list(values)}`,
    `${label} is not ${list(values)}`,
  );
}

function valueTest(label: string, match: boolean | string | string[], read: (features: RequestFeatures) => string | undefined): Test {
  if (match === true) return test((f) => read(f) !== undefined, `${label} present`, `${label} absent`);
  if (match === false) return test((f) => read(f) === undefined, `${label} absent`, `${label} present`);
  return oneOf(label, asArray(match), read);
}

function flag(holds: (features: RequestFeatures) => boolean, want: boolean, yes: string, no: string): Test {
  return want ? test(holds, yes, no) : test((f) => !holds(f), no, yes);
}

const conjunction = (tests: readonly Test[]) => (f: RequestFeatures) => {
  for (const t of tests) if (!t.holds(f)) return false;
  return true;
};
const describe = (tests: readonly Test[], key: "hit" | "miss", joiner: string) =>
  tests.length === 1 ? tests[0]![key] : `(${tests.map((t) => t[key]).join(joiner)})`;

/**
 * One test per condition (per header/metadata key). They run in the schema's order of keys (the order
 * in docs/POLICIES.md), whatever order the YAML lists them in; the first that fails is the reported reason.
 */
export function compileConditions(
  conditions: Conditions,
  headerNames: Set<string>,
  intentRoutes: ReadonlyMap<string, Location>,
): Test[] {
  const tests: Test[] = [];
  const c = conditions;
  for (const key of Object.keys(c) as (keyof Conditions)[]) {
    switch (key) {
      case "intent":
        tests.push(oneOf("intent", asArray(c.intent!), (f) => f.intent));
        break;
      case "intent_route": {
        const want = c.intent_route!;
        tests.push(
          test(
            (f) => f.intent !== undefined && intentRoutes.get(f.intent) === want,
            `intent routes ${want}`,
            `intent does not route ${want}`,
          ),
        );
        break;
      }
      case "unsure":
        // Without a classifier there is no answer either way: both `unsure: true` and `unsure: false` fail.
        tests.push(
          c.unsure
            ? test((f) => f.unsure === true, "classifier unsure", "classifier not unsure")
            : test((f) => f.unsure === false, "classifier sure", "classifier unsure or absent"),
        );
        break;
      case "confidence_below": {
        const limit = c.confidence_below!;
        tests.push(test((f) => f.confidence !== undefined && f.confidence < limit, `confidence below ${limit}`, `confidence not below ${limit}`));
        break;
      }
      case "confidence_above": {
        const limit = c.confidence_above!;
        tests.push(test((f) => f.confidence !== undefined && f.confidence > limit, `confidence above ${limit}`, `confidence not above ${limit}`));
        break;
      }
      case "prompt_tokens_above": {
        const limit = c.prompt_tokens_above!;
        tests.push(test((f) => f.promptTokens > limit, `prompt tokens above ${limit}`, `prompt tokens not above ${limit}`));
        break;
      }
      case "prompt_tokens_below": {
        const limit = c.prompt_tokens_below!;
        tests.push(test((f) => f.promptTokens < limit, `prompt tokens below ${limit}`, `prompt tokens not below ${limit}`));
        break;
      }
      case "turns_above": {
        const limit = c.turns_above!;
        tests.push(test((f) => f.turns > limit, `turns above ${limit}`, `turns not above ${limit}`));
        break;
      }
      case "turns_below": {
        const limit = c.turns_below!;
        tests.push(test((f) => f.turns < limit, `turns below ${limit}`, `turns not below ${limit}`));
        break;
      }
      case "tools":
        tests.push(flag((f) => f.hasTools, c.tools!, "has tools", "no tools"));
        break;
      case "images":
        tests.push(flag((f) => f.hasImages, c.images!, "has images", "no images"));
        break;
      case "response_format":
        tests.push(oneOf("response_format", asArray(c.response_format!), (f) => f.responseFormat));
        break;
      case "model":
        tests.push(oneOf("requested model", asArray(c.model!), (f) => f.requestedModel));
        break;
      case "tenant":
        tests.push(oneOf("tenant", asArray(c.tenant!), (f) => f.tenant));
        break;
      case "headers":
        for (const [name, match] of Object.entries(c.headers!)) {
          headerNames.add(name);
          tests.push(valueTest(`header ${name}`, match, (f) => (Object.hasOwn(f.headers, name) ? f.headers[name] : undefined)));
        }
        break;
      case "metadata":
        for (const [name, match] of Object.entries(c.metadata!)) {
          tests.push(valueTest(`metadata ${name}`, match, (f) => (Object.hasOwn(f.metadata, name) ? f.metadata[name] : undefined)));
        }
        break;
      case "pii_found": {
        const want = c.pii_found!;
        if (want === "any") {
          tests.push(test((f) => f.piiTypes.length > 0, "PII found", "no PII found"));
        } else {
          const types = asArray(want);
          const set = new Set(types);
          tests.push(
            test(
              (f) => {
                for (const type of f.piiTypes) if (set.has(type)) return true;
                return false;
              },
              `PII ${list(types)} found`,
              `no PII ${list(types)} found`,
            ),
          );
        }
        break;
      }
      case "local_queue_above": {
        const limit = c.local_queue_above!;
        tests.push(test((f) => f.local.queueDepth > limit, `local queue above ${limit}`, `local queue not above ${limit}`));
        break;
      }
      case "local_queue_below": {
        const limit = c.local_queue_below!;
        tests.push(test((f) => f.local.queueDepth < limit, `local queue below ${limit}`, `local queue not below ${limit}`));
        break;
      }
      case "local_healthy":
        tests.push(flag((f) => f.local.healthy, c.local_healthy!, "local healthy", "local unhealthy"));
        break;
      case "budget_exceeded":
        tests.push(flag((f) => f.budgetExceeded, c.budget_exceeded!, "budget exceeded", "budget not exceeded"));
        break;
      case "any": {
        const alternatives = c.any!.map((alternative) => compileConditions(alternative, headerNames, intentRoutes));
        const checks = alternatives.map(conjunction);
        tests.push(
          test(
            (f) => {
              for (const check of checks) if (check(f)) return true;
              return false;
            },
            alternatives.map((alt) => describe(alt, "hit", " and ")).join(" or "),
            alternatives.map((alt) => describe(alt, "miss", " or ")).join(" and "),
          ),
        );
        break;
      }
      case "not": {
        const inner = compileConditions(c.not!, headerNames, intentRoutes);
        const check = conjunction(inner);
        tests.push(test((f) => !check(f), `not ${describe(inner, "hit", " and ")}`, describe(inner, "hit", " and ")));
        break;
      }
      default: {
        const unknown: never = key;
        throw new Error(`unknown condition '${String(unknown)}'`);
      }
    }
  }
  return tests;
}
