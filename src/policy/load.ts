/**
 * Loads a policy directory — `routing.yaml`, plus `intents.yaml` (default route per intent) and the
 * model catalog (the live registry, or `models.yaml`) — validates it completely, checks every reference
 * (target models, intent names), and compiles it. Every problem is reported at once as
 * `file:line:col: path: message`; nothing partial is ever returned.
 */
import { createHash } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import { trainingDataHash, type LabelledExample } from "../../classifiers/data/training-data.js";
import { IntentsFileSchema } from "../../classifiers/intents.js";
import { loadGatewayConfig } from "../config/load.js";
import type { ProviderConfig } from "../config/models-schema.js";
import { ConfigError, parseYamlText, POLICY_FILE_LIMIT, readConfigFile, withinStack, type ConfigProblem, type SizeLimit, type YamlSource } from "../config/yaml-file.js";
import type { Location, ModelRegistry } from "../models/registry.js";
import { BUILTIN_ENTITY_TYPES } from "../pii/entity.js";
import { catalogFromRegistry, type PolicyCatalog } from "./catalog.js";
import { retrainCommand, type ClassifierInfo } from "./classifier-info.js";
import { compilePolicy, resolveStaticTarget, type CompiledPolicy } from "./compile.js";
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

export interface PolicyFileInfo {
  path: string;
  /** SHA-256 of the file's bytes (hex). */
  sha256: string;
  bytes: number;
}

export interface LoadPolicyOptions {
  /** The policy directory (`SWITCHYARD_POLICY_DIR`). */
  dir: string;
  /** Looked in for `intents.yaml`/`models.yaml` missing from `dir` (a shadow candidate holding only routing.yaml). */
  fallbackDir?: string | undefined;
  /** The gateway's live model registry. Without it, `models.yaml` is read from the directory. */
  registry?: ModelRegistry | undefined;
  /**
   * With `registry`: the models.yaml it was built from, as read then (`policyFileInfo` at start-up).
   * It stands in the version for the file on disk, which an edit may have changed since: the policy
   * routes with the registry. Default: the file on disk now.
   */
  modelsFile?: PolicyFileInfo | undefined;
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

/** The variable holding the PII engine's HMAC key (pii.yaml `hash.key_env`) and whether it is set. */
export interface PiiHashKey {
  env: string;
  set: boolean;
}

export interface LoadedPolicy {
  policy: CompiledPolicy;
  files: PolicyFileInfo[];
  /** Things that are legal but probably not meant (printed by `policy check`, logged on reload). */
  warnings: string[];
  /** The model registry the targets were checked against (the given one, or models.yaml's). */
  registry: ModelRegistry;
  /**
   * models.yaml's providers, when the folder's models.yaml was read (no `registry` given): `policy
   * explain` reads which of them have their API key from them.
   */
  providers?: Readonly<Record<string, ProviderConfig>>;
}

interface ReadFile {
  path: string;
  text: string;
  bytes: number;
}

async function readIfExists(path: string, limit: SizeLimit = POLICY_FILE_LIMIT): Promise<ReadFile | undefined> {
  const buffer = await readConfigFile(path, limit);
  return buffer && { path, text: buffer.toString("utf8"), bytes: buffer.length };
}

async function findFile(name: string, dir: string, fallbackDir: string | undefined): Promise<ReadFile | undefined> {
  const limit = name === INTENTS_FILE ? INTENTS_FILE_LIMIT : POLICY_FILE_LIMIT;
  return (await readIfExists(join(dir, name), limit)) ?? (fallbackDir ? await readIfExists(join(fallbackDir, name), limit) : undefined);
}

const infoOf = (file: ReadFile): PolicyFileInfo => ({ path: file.path, sha256: createHash("sha256").update(file.text).digest("hex"), bytes: file.bytes });

/** A policy file's hash as `loadPolicyDir` records it (looked for in `dir`, then `fallbackDir`); undefined when missing. */
export async function policyFileInfo(name: string, dir: string, fallbackDir?: string): Promise<PolicyFileInfo | undefined> {
  const file = await findFile(name, dir, fallbackDir);
  return file ? infoOf(file) : undefined;
}

export async function loadPolicyDir(options: LoadPolicyOptions): Promise<LoadedPolicy> {
  const routingPath = join(options.dir, ROUTING_FILE);
  const routing = await readIfExists(routingPath);
  if (!routing) throw new ConfigError([{ file: routingPath, line: 0, col: 0, path: "", message: "file not found" }]);
  const intents = await findFile(INTENTS_FILE, options.dir, options.fallbackDir);
  const read: ReadFile[] = [routing];
  if (intents) read.push(intents);

  const problems: ConfigProblem[] = [];
  const collect = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (error) {
      if (error instanceof ConfigError) {
        problems.push(...error.problems);
        return undefined;
      }
      throw error;
    }
  };

  let registry = options.registry;
  let providers: Readonly<Record<string, ProviderConfig>> | undefined;
  // models.yaml is part of the version however the catalog was built, so the CLI (which reads it)
  // and the gateway (which built its registry from it at start-up) name one folder alike.
  let modelsInfo: PolicyFileInfo | undefined;
  if (registry) {
    modelsInfo = options.modelsFile ?? (await policyFileInfo(MODELS_FILE, options.dir, options.fallbackDir));
  } else {
    const models = await findFile(MODELS_FILE, options.dir, options.fallbackDir);
    if (!models) {
      problems.push({ file: join(options.dir, MODELS_FILE), line: 0, col: 0, path: "", message: "file not found (the model catalog the routing targets refer to)" });
    } else {
      read.push(models);
      const modelsDir = dirname(models.path);
      try {
        ({ registry, providers } = await loadGatewayConfig({ SWITCHYARD_POLICY_DIR: modelsDir }, modelsDir));
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        problems.push(...error.problems);
      }
    }
  }

  const intentsInfo = intents ? collect(() => parseIntents(intents.path, intents.text)) : undefined;
  // Parsed once, for what it routes by intent and for the compile: its problems are reported with the others.
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
  if (intents && intentsInfo && options.labels && routingFile) {
    // A stale classifier (an intent renamed in intents.yaml, not retrained) answers labels without a route.
    const named = new Set(intentsInfo.names);
    for (const label of options.labels.filter((l) => !named.has(l))) {
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
  if (intents && intentsInfo && options.labels) warnings.push(...untrainedWarnings(intents, intentsInfo, options.labels, options.classifier));
  if (!intents) {
    // Without intents.yaml every intent-default decision would quietly fall to unclassified_route.
    if (uses.length > 0) {
      problems.push({
        file: join(options.dir, INTENTS_FILE),
        line: 0,
        col: 0,
        path: "",
        message: `file not found; ${ROUTING_FILE} routes by intent (${uses.join(", ")}) and reads each intent's default route from it`,
      });
    }
  }
  // pii.yaml on disk is read only for what the running engine did not say.
  const needsPiiFile = !options.piiTypes || (!options.piiHashKey && options.env !== undefined);
  const piiFile = needsPiiFile ? await findFile(PII_FILE, options.dir, options.fallbackDir) : undefined;
  const piiTypes = options.piiTypes ?? piiEntityTypes(piiFile);
  const piiHashKey = options.piiHashKey ?? (options.env ? piiHashKeyOf(piiFile, options.env) : undefined);
  if (!registry || (intents && !intentsInfo) || !routingSource) {
    // Still report the routing file's own problems alongside the others.
    if (routingError) problems.push(...routingError.problems);
    throw new ConfigError(problems);
  }

  const files = [...read.map(infoOf), ...(modelsInfo ? [modelsInfo] : [])]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const compiled = collect(() =>
    compileRoutingSource(routingSource, {
      file: routing.path,
      text: routing.text,
      catalog: catalogFromRegistry(registry),
      intents: intentsInfo,
      labels: options.labels,
      piiTypes,
      piiHashKey,
      version: versionOf(files),
      ...(options.registry ? { catalogSource: RUNNING_CATALOG } : {}),
      ...(options.piiTypes ? { piiSource: RUNNING_PII_ENGINE } : {}),
    }),
  );
  if (!compiled || problems.length > 0) throw new ConfigError(problems);
  return { policy: compiled.policy, files, warnings: [...warnings, ...compiled.warnings], registry, ...(providers ? { providers } : {}) };
}

export interface CompileRoutingInput {
  /** Name used in problems (file:line:col). */
  file: string;
  text: string;
  catalog: PolicyCatalog;
  /** intents.yaml's names and routes. */
  intents?: IntentsInfo | undefined;
  /** Classifier labels; intent names must be among them (default: `intents.names`; neither = unchecked). */
  labels?: readonly string[] | undefined;
  /** The entity types the PII engine can report; `pii_found` names must be among them (default: unchecked). */
  piiTypes?: readonly string[] | undefined;
  /** The PII engine's hash key; a `pii: hash` action while it is unset is a problem (default: unchecked). */
  piiHashKey?: PiiHashKey | undefined;
  /** Default: a hash of `text`. */
  version?: string | undefined;
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

/** `catalogSource` for the gateway's reloads: its registry, which models.yaml edits reach only by a restart. */
export const RUNNING_CATALOG = "the running gateway's models (models.yaml as read at start-up; restart to load edits) are";
/** `piiSource` for the gateway's reloads: its PII engine, which pii.yaml edits reach only by a restart. */
export const RUNNING_PII_ENGINE = "the running PII engine (pii.yaml as read at start-up; restart to load edits) reports";

/**
 * Parses, checks and compiles routing.yaml text against a catalog — no I/O. Throws `ConfigError`
 * listing every problem.
 */
export function compileRoutingText(input: CompileRoutingInput): { policy: CompiledPolicy; warnings: string[] } {
  return compileRoutingSource(parseYamlText(input.file, input.text, RoutingFileSchema), input);
}

/** `compileRoutingText` of routing.yaml already parsed (`source`, of `input.text`). */
function compileRoutingSource(source: YamlSource<RoutingFile>, input: CompileRoutingInput): { policy: CompiledPolicy; warnings: string[] } {
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
  if (problems.length > 0) throw new ConfigError(problems);
  const version = input.version ?? createHash("sha256").update(input.text).digest("hex").slice(0, 12);
  return { policy: withinStack(input.file, () => compilePolicy(source.value, { version, catalog: input.catalog, intentRoutes })), warnings };
}

/** Content hash of the policy's files (by base name, so moving the directory keeps the version). */
export function versionOf(files: readonly PolicyFileInfo[]): string {
  const hash = createHash("sha256");
  for (const file of [...files].sort((a, b) => (basename(a.path) < basename(b.path) ? -1 : 1))) {
    hash.update(`${basename(file.path)}\0${file.sha256}\n`);
  }
  return hash.digest("hex").slice(0, 12);
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
