/**
 * The policy files' parse and checks, as `loadPolicyDir` runs them once it has read the files: every
 * problem at once (`file:line:col: path: message`), and what compiling needs. No I/O, and its input
 * and output are plain data, so the gateway can run it on a worker thread (`off-thread-check.ts`):
 * the YAML parse is a load's costly half.
 */
import { join } from "node:path";
import { z } from "zod";
import { trainingDataHash, type LabelledExample } from "../../classifiers/data/training-data.js";
import { IntentsFileSchema } from "../../classifiers/intents.js";
import { appendProblems, ConfigError, missingFileProblem, parseYamlText, withinStack, type ConfigProblem, type SizeLimit, type YamlSource } from "../config/yaml-file.js";
import type { Location } from "../models/registry.js";
import { BUILTIN_ENTITY_TYPES } from "../pii/entity.js";
import type { PolicyCatalog } from "./catalog.js";
import { retrainCommand, type ClassifierInfo } from "./classifier-info.js";
import { resolveStaticTarget } from "./compile.js";
import {
  INTENTS_FILE,
  MODELS_FILE,
  PII_FILE,
  ROUTING_FILE,
  SPECIAL_TARGETS,
  TARGET_CLOUD,
  TARGET_INTENT_DEFAULT,
  TARGET_LOCAL,
  TARGET_REQUESTED,
  RoutingFileSchema,
  type Action,
  type Conditions,
  type RoutingFile,
} from "./schema.js";

/** The variable holding the PII engine's HMAC key (pii.yaml `hash.key_env`) and whether it is set. */
export interface PiiHashKey {
  env: string;
  set: boolean;
}

/** A policy file as read: its path, text and size in bytes. */
export interface ReadFile {
  path: string;
  text: string;
  bytes: number;
}

/** What the running gateway (or the CLI) tells the policy files' checks about itself. */
export interface PolicyCheckedAgainst {
  /** The loaded classifier's labels; intent names in conditions must be among them. Default: intents.yaml's intents. */
  labels?: readonly string[] | undefined;
  /**
   * The loaded classifier's folder and training-data hash (with `labels`): intents.yaml intents it was
   * not trained on, or examples other than the ones it was trained on, are warnings. Default: none.
   */
  classifier?: ClassifierInfo | undefined;
  /**
   * The running PII engine's entity types; `pii_found` names must be among them. The engine reads
   * pii.yaml at start-up only, so the file on disk may name types it does not report (or no longer
   * name ones it does). Default: the built-in types and pii.yaml's custom ones, as on disk (the CLI).
   */
  piiTypes?: readonly string[] | undefined;
  /**
   * The running PII engine's hash key: a `pii: hash` action needs it. Default: the variable pii.yaml
   * names on disk, looked up in `env` (the CLI); neither given = unchecked.
   */
  piiHashKey?: PiiHashKey | undefined;
  /** Where the hash key is looked up without `piiHashKey` (the CLI's environment). */
  env?: Readonly<Record<string, string | undefined>> | undefined;
}

/**
 * What `checkPolicyFiles` reads: the files' texts and what they are checked against. Plain data (no
 * functions, no class instances), so it can be posted to a worker thread (`checkPolicyFilesOffThread`).
 */
export interface PolicyCheckInput extends PolicyCheckedAgainst {
  /** The policy directory, named in problems about a missing intents.yaml. */
  dir: string;
  routing: ReadFile;
  intents?: ReadFile | undefined;
  /** Without `intents`: intents.yml is in `dir` (named in the missing file's problem). */
  intentsYmlThere?: boolean | undefined;
  /** pii.yaml, when `piiTypes` or the hash key is to be read from it. */
  pii?: ReadFile | undefined;
  /** Undefined when the model catalog could not be built: the files are parsed, their references not checked. */
  catalog?: PolicyCatalog | undefined;
  catalogSource?: string | undefined;
  piiSource?: string | undefined;
}

/** The policy files as checked: every problem and warning, and, when they parse, what compiling needs. Plain data. */
export interface CheckedPolicyFiles {
  problems: ConfigProblem[];
  /** Problems left out of `problems` (a worker sends at most `MAX_SENT_PROBLEMS`). */
  omitted?: number | undefined;
  warnings: string[];
  /** routing.yaml, when it parsed and its references were checked. */
  routing?: RoutingFile | undefined;
  intents?: IntentsInfo | undefined;
}

/**
 * Parses and checks the policy files — every problem at once, no I/O. The costly half of a load
 * (YAML parsing is 1–7 µs a byte): the gateway runs it off the serving thread.
 */
export function checkPolicyFiles(input: PolicyCheckInput): CheckedPolicyFiles {
  const { routing, intents } = input;
  const problems: ConfigProblem[] = [];
  const collect = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (error) {
      if (error instanceof ConfigError) {
        appendProblems(problems, error.problems);
        return undefined;
      }
      throw error;
    }
  };

  const intentsInfo = intents ? collect(() => parseIntents(intents.path, intents.text)) : undefined;
  // Parsed once, for what it routes by intent and for the reference checks: its problems are reported with the others.
  let routingSource: YamlSource<RoutingFile> | undefined;
  let routingError: ConfigError | undefined;
  try {
    routingSource = parseYamlText(routing.path, routing.text, RoutingFileSchema);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    routingError = error;
  }
  const routingFile = routingSource?.value;
  const uses = routingFile ? intentRoutingUses(routingFile) : [];
  const warnings: string[] = [];
  if (intents && intentsInfo && input.labels && routingFile) {
    // A stale classifier (an intent renamed in intents.yaml, not retrained) answers labels without a route.
    const named = new Set(intentsInfo.names);
    for (const label of input.labels.filter((l) => !named.has(l))) {
      if (uses.length > 0) {
        problems.push({
          file: intents.path,
          line: 0,
          col: 0,
          path: "intents",
          message: `classifier label '${label}' has no entry, so its requests would take unclassified_route (${routingFile.unclassified_route}) although ${ROUTING_FILE} routes by intent; retrain the classifier on this file (a renamed intent?; the gateway takes the retrained classifier with this file at its next policy reload), or add the intent`,
        });
      } else {
        warnings.push(`${intents.path}: classifier label '${label}' has no entry (no default route); retrain the classifier on this file, or add the intent`);
      }
    }
  }
  if (intents && intentsInfo && input.labels) warnings.push(...untrainedWarnings(intents, intentsInfo, input.labels, input.classifier));
  if (!intents) {
    // Without intents.yaml every intent-default decision would quietly fall to unclassified_route.
    if (uses.length > 0) {
      const what = `; ${ROUTING_FILE} routes by intent (${uses.join(", ")}) and reads each intent's default route from it`;
      problems.push(missingFileProblem(join(input.dir, INTENTS_FILE), what, input.intentsYmlThere === true));
    }
  }
  const catalog = input.catalog;
  if (!catalog || (intents && !intentsInfo) || !routingSource) {
    // Still report the routing file's own problems alongside the others.
    if (routingError) appendProblems(problems, routingError.problems);
    return { problems, warnings };
  }
  const piiTypes = input.piiTypes ?? piiEntityTypes(input.pii);
  const piiHashKey = input.piiHashKey ?? (input.env ? piiHashKeyOf(input.pii, input.env) : undefined);
  const intentsOut = intentsInfo && { names: intentsInfo.names, routes: intentsInfo.routes };
  const references = collect(() =>
    checkRoutingReferences(routingSource, {
      file: routing.path,
      catalog,
      intents: intentsOut,
      labels: input.labels,
      piiTypes,
      piiHashKey,
      catalogSource: input.catalogSource,
      piiSource: input.piiSource,
    }),
  );
  if (!references) return { problems, warnings };
  appendProblems(problems, references.problems);
  return { problems, warnings: [...warnings, ...references.warnings], routing: routingFile, intents: intentsOut };
}

/** What routing.yaml's references are checked against. */
export interface RoutingReferenceInput {
  /** Name used in problems (file:line:col). */
  file: string;
  catalog: PolicyCatalog;
  /** intents.yaml's names and routes. */
  intents?: IntentsInfo | undefined;
  /** Classifier labels; intent names must be among them (default: `intents.names`; neither = unchecked). */
  labels?: readonly string[] | undefined;
  /** The entity types the PII engine can report; `pii_found` names must be among them (default: unchecked). */
  piiTypes?: readonly string[] | undefined;
  /** The PII engine's hash key; a `pii: hash` action while it is unset is a problem (default: unchecked). */
  piiHashKey?: PiiHashKey | undefined;
  /**
   * What `catalog` is, for problems listing its models. Default: `models.yaml declares` — the file that was read.
   * The gateway checks against its registry instead, built at start-up: a model added to models.yaml
   * since is on disk but not in it, and the message must not say the file lacks it.
   */
  catalogSource?: string | undefined;
  /**
   * Who reports `piiTypes`, for problems listing them. Default: `the PII engine reports`. The gateway
   * names its running engine, which pii.yaml edits reach only by a restart.
   */
  piiSource?: string | undefined;
}

/** What routing.yaml (`source`) names that the catalog, intents or PII engine lack (problems), or may not mean (warnings). */
export function checkRoutingReferences(source: YamlSource<RoutingFile>, input: RoutingReferenceInput): { problems: ConfigProblem[]; warnings: string[] } {
  const intentRoutes = input.intents?.routes ?? new Map<string, Location>();
  const known = input.labels ? new Set(input.labels) : input.intents ? new Set(input.intents.names) : undefined;
  const warnings: string[] = [];
  if (!known) warnings.push(`${input.file}: intent names are not checked: no classifier labels and no ${INTENTS_FILE}`);
  const problems = withinStack(input.file, () => checkReferences(source, {
    catalog: input.catalog,
    catalogSource: input.catalogSource ?? `${MODELS_FILE} declares`,
    piiSource: input.piiSource ?? "the PII engine reports",
    knownIntents: known,
    intentRoutes,
    warnings,
    piiTypes: input.piiTypes ? new Set(input.piiTypes) : undefined,
    piiHashKey: input.piiHashKey,
  }));
  return { problems, warnings };
}

// ---------------------------------------------------------------------------------------------
// intents.yaml: owned by the classifier; read here for intent names and default routes, through the
// classifier's own strict schema so a misspelt `route` is an error here too, not a silent
// `unclassified_route`.

export interface IntentsInfo {
  names: string[];
  routes: Map<string, Location>;
}

/**
 * intents.yaml holds the classifier's training examples, short lines the yaml library parses ~10 times
 * faster a byte than rules (1 MiB of them in ~0.2 s): 1 MiB is ~45 times the shipped file, ~20,000
 * examples. `classifier train` reads a file of any size.
 */
export const INTENTS_FILE_LIMIT: SizeLimit = { bytes: 1024 * 1024, of: INTENTS_FILE };

/** intents.yaml as read: its intents' names and routes, and its examples as `classifier train` reads them. */
export interface ParsedIntents extends IntentsInfo {
  examples: LabelledExample[];
}

/** Reads intent names, their `route` and their examples from intents.yaml, validated with `IntentsFileSchema`. */
export function parseIntents(file: string, text: string): ParsedIntents {
  const { intents } = parseYamlText(file, text, IntentsFileSchema, { limit: INTENTS_FILE_LIMIT }).value;
  return {
    names: Object.keys(intents),
    routes: new Map(Object.entries(intents).map(([name, intent]) => [name, intent.route])),
    examples: Object.entries(intents).flatMap(([label, intent]) => intent.examples.map((example) => ({ text: example, label }))),
  };
}

/**
 * intents.yaml ahead of the classifier (an intent added, examples edited, not retrained). Warnings,
 * not problems: the gateway keeps routing every intent the classifier knows as before, and refusing
 * would stop a reload of unrelated rules until a retrain. But the classifier never answers an intent
 * it was not trained on: those requests are classified as another intent and take its route.
 */
function untrainedWarnings(intents: ReadFile, info: ParsedIntents, labels: readonly string[], classifier: ClassifierInfo | undefined): string[] {
  const warnings: string[] = [];
  const known = new Set(labels);
  const untrained = info.names.filter((name) => !known.has(name));
  // A retrain into the classifier's folder goes live at the gateway's next policy reload (the folder is watched).
  const fix = `retrain the classifier (${retrainCommand(intents.path, classifier)}); a running gateway takes the retrained classifier at its next policy reload`;
  if (untrained.length > 0) {
    const list = untrained.map((name) => `'${name}'`).join(", ");
    warnings.push(
      `${intents.path}: the classifier does not know intent${untrained.length === 1 ? "" : "s"} ${list} (not trained on ${untrained.length === 1 ? "it" : "them"}), so such requests are classified as another intent and take its route; ${fix}`,
    );
  }
  const trained = classifier?.trainingDataHash;
  if (trained !== undefined) {
    // As `classifier train` hashes this file's examples (intentsTrainingDataHash), without parsing it again.
    if (trainingDataHash(info.examples) !== trained) {
      warnings.push(`${intents.path}: the classifier was trained on other examples than ${INTENTS_FILE} has: ${fix}`);
    }
  }
  return warnings;
}

/**
 * Where routing.yaml reads intents.yaml's routes: `intent_default` targets and `intent_route`
 * conditions (`intent` conditions name the classifier's labels and need no route).
 */
function intentRoutingUses(file: RoutingFile): string[] {
  const uses: string[] = [];
  const inAction = (action: Action, at: string) => {
    if (action.route === TARGET_INTENT_DEFAULT) uses.push(`${TARGET_INTENT_DEFAULT} at ${at}.route`);
    action.fallbacks.forEach((spec, index) => {
      if (spec === TARGET_INTENT_DEFAULT) uses.push(`${TARGET_INTENT_DEFAULT} at ${at}.fallbacks[${index}]`);
    });
  };
  const inConditions = (conditions: Conditions, at: string) => {
    if (conditions.intent_route !== undefined) uses.push(`intent_route at ${at}.intent_route`);
    conditions.any?.forEach((alternative, index) => inConditions(alternative, `${at}.any[${index}]`));
    if (conditions.not) inConditions(conditions.not, `${at}.not`);
  };
  file.rules.forEach((rule, index) => {
    inConditions(rule.when, `rules[${index}].when`);
    inAction(rule.then, `rules[${index}].then`);
  });
  inAction(file.default, "default");
  return uses;
}

// ---------------------------------------------------------------------------------------------
// pii.yaml: owned by the PII engine; read here only for the entity types its custom recognizers add
// and the variable holding its hash key.

const PiiTypesSchema = z.looseObject({ custom_recognizers: z.array(z.looseObject({ type: z.string() })).optional() });
const PiiHashKeyEnvSchema = z.looseObject({ hash: z.looseObject({ key_env: z.string() }) });

/** pii.yaml's hash key variable and whether `env` sets it. Undefined (unchecked) when pii.yaml cannot say: its own problems are the PII engine's. */
function piiHashKeyOf(file: ReadFile | undefined, env: Readonly<Record<string, string | undefined>>): PiiHashKey | undefined {
  if (!file) return undefined;
  try {
    const name = parseYamlText(file.path, file.text, PiiHashKeyEnvSchema).value.hash.key_env;
    // As the sanitizer reads it: an empty value is no key.
    return { env: name, set: Boolean(env[name]) };
  } catch (error) {
    if (error instanceof ConfigError) return undefined;
    throw error;
  }
}

/**
 * The entity types a `pii_found` condition may name: the built-in recognizers' and pii.yaml's custom
 * ones. Undefined (unchecked) when pii.yaml cannot be read: that is the PII engine's error to report.
 */
function piiEntityTypes(file: ReadFile | undefined): string[] | undefined {
  if (!file) return [...BUILTIN_ENTITY_TYPES];
  try {
    const custom = parseYamlText(file.path, file.text, PiiTypesSchema).value.custom_recognizers ?? [];
    return [...BUILTIN_ENTITY_TYPES, ...custom.map((recognizer) => recognizer.type)];
  } catch (error) {
    if (error instanceof ConfigError) return undefined;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Referential checks

interface ReferenceContext {
  catalog: PolicyCatalog;
  /** Who declares the catalog's models, for problems listing them. */
  catalogSource: string;
  /** Who reports `piiTypes`, for problems listing them. */
  piiSource: string;
  knownIntents: ReadonlySet<string> | undefined;
  intentRoutes: ReadonlyMap<string, Location>;
  /** Collects what is legal but probably not meant. */
  warnings: string[];
  piiTypes: ReadonlySet<string> | undefined;
  piiHashKey: PiiHashKey | undefined;
}

function checkReferences(source: YamlSource<RoutingFile>, context: ReferenceContext): ConfigProblem[] {
  const { catalog, catalogSource, piiSource, knownIntents, intentRoutes, warnings, piiTypes, piiHashKey } = context;
  const problems: ConfigProblem[] = [];
  const file = source.value;
  const declared = [...catalog.models.keys()].join(", ") || "none";

  const checkTarget = (spec: string, path: PropertyKey[]) => {
    if (spec === TARGET_REQUESTED) return;
    if (spec === TARGET_INTENT_DEFAULT) {
      const needed = new Set<Location>([file.unclassified_route, ...intentRoutes.values()]);
      for (const route of needed) {
        const model = route === "local" ? catalog.defaultLocal : catalog.defaultCloud;
        if (!model) problems.push(source.problem(path, `intent_default may route to ${route}, but models.yaml has no defaults.${route}`));
      }
      return;
    }
    if (spec === TARGET_LOCAL || spec === TARGET_CLOUD) {
      if (!resolveStaticTarget(spec, catalog)) problems.push(source.problem(path, `'${spec}' means models.yaml's defaults.${spec}, which is not set`));
      return;
    }
    if (!catalog.models.has(spec)) {
      problems.push(source.problem(path, `unknown model '${spec}'; ${catalogSource}: ${declared}; special targets: ${SPECIAL_TARGETS.join(", ")}`));
    }
  };
  const checkAction = (action: Action, path: PropertyKey[]) => {
    if (action.route !== undefined) checkTarget(action.route, [...path, "route"]);
    action.fallbacks.forEach((spec, index) => checkTarget(spec, [...path, "fallbacks", index]));
    // Without the key the sanitizer cannot hash: every matching request with PII would fail 503 at egress.
    if (action.pii === "hash" && piiHashKey && !piiHashKey.set) {
      problems.push(source.problem([...path, "pii"], `\`hash\` needs an HMAC key, but ${piiHashKey.env} (${PII_FILE} hash.key_env) is not set`));
    }
  };
  const checkConditions = (conditions: Conditions, path: PropertyKey[]) => {
    if (conditions.intent !== undefined && knownIntents) {
      const values = Array.isArray(conditions.intent) ? conditions.intent : [conditions.intent];
      values.forEach((intent, index) => {
        if (!knownIntents.has(intent)) {
          const at = Array.isArray(conditions.intent) ? [...path, "intent", index] : [...path, "intent"];
          problems.push(source.problem(at, `unknown intent '${intent}'; the classifier knows: ${[...knownIntents].sort().join(", ") || "none"}`));
        }
      });
    }
    if (conditions.model !== undefined) {
      for (const model of Array.isArray(conditions.model) ? conditions.model : [conditions.model]) {
        if (model !== "auto" && model !== TARGET_LOCAL && model !== TARGET_CLOUD && !catalog.models.has(model)) {
          const at = source.locate([...path, "model"]);
          warnings.push(`${source.file}:${at.line}:${at.col}: model '${model}' is not in models.yaml; requests naming it may still arrive`);
        }
      }
    }
    const found = conditions.pii_found;
    if (found !== undefined && found !== "any" && piiTypes) {
      // A type no recognizer reports makes a rule that never matches (SECRETS for SECRET: secrets leave).
      (Array.isArray(found) ? found : [found]).forEach((type, index) => {
        if (!piiTypes.has(type)) {
          const at = Array.isArray(found) ? [...path, "pii_found", index] : [...path, "pii_found"];
          problems.push(source.problem(at, `unknown PII entity type '${type}'; ${piiSource}: ${[...piiTypes].sort().join(", ")} (custom types: pii.yaml custom_recognizers)`));
        }
      });
    }
    conditions.any?.forEach((alternative, index) => checkConditions(alternative, [...path, "any", index]));
    if (conditions.not) checkConditions(conditions.not, [...path, "not"]);
  };

  file.rules.forEach((rule, index) => {
    checkConditions(rule.when, ["rules", index, "when"]);
    checkAction(rule.then, ["rules", index, "then"]);
  });
  checkAction(file.default, ["default"]);
  return problems;
}
