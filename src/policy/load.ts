/**
 * Loads a policy directory — `routing.yaml`, plus `intents.yaml` (default route per intent) and the
 * model catalog (the live registry, or `models.yaml`) — validates it completely, checks every reference
 * (target models, intent names), and compiles it. Every problem is reported at once as
 * `file:line:col: path: message`; nothing partial is ever returned.
 */
import { createHash } from "node:crypto";
import { readdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { loadGatewayConfig } from "../config/load.js";
import type { ProviderConfig } from "../config/models-schema.js";
import { appendProblems, ConfigError, configText, expectPolicyFolder, fileNotFound, parseYamlText, POLICY_FILE_LIMIT, readConfigFile, withinStack, ymlIsThere, ymlName, type ConfigProblem, type SizeLimit } from "../config/yaml-file.js";
import type { Location, ModelRegistry } from "../models/registry.js";
import { catalogFromRegistry } from "./catalog.js";
import {
  checkPolicyFiles,
  checkRoutingReferences,
  INTENTS_FILE_LIMIT,
  type CheckedPolicyFiles,
  type PolicyCheckedAgainst,
  type PolicyCheckInput,
  type ReadFile,
  type RoutingReferenceInput,
} from "./check-files.js";
import { compilePolicy, type CompiledPolicy } from "./compile.js";
import { INTENTS_FILE, MODELS_FILE, PII_FILE, POLICY_FOLDER_FILES, ROUTING_FILE, RoutingFileSchema, type RoutingFile } from "./schema.js";

export interface PolicyFileInfo {
  path: string;
  /** SHA-256 of the file's bytes (hex). */
  sha256: string;
  bytes: number;
}

export interface LoadPolicyOptions extends PolicyCheckedAgainst {
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
  /**
   * Runs `checkPolicyFiles` (the files' parse and checks). Default: on this thread. The gateway runs it
   * on a worker thread (`checkPolicyFilesOffThread`), so a reload never holds up requests.
   */
  check?: ((input: PolicyCheckInput) => Promise<CheckedPolicyFiles>) | undefined;
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

/** How a file's bytes become text: `configText` refuses bytes that are not UTF-8. */
type Decode = (path: string, bytes: Buffer) => string;

async function readIfExists(path: string, limit: SizeLimit = POLICY_FILE_LIMIT, decode: Decode = configText): Promise<ReadFile | undefined> {
  const buffer = await readConfigFile(path, limit);
  return buffer && { path, text: decode(path, buffer), bytes: buffer.length };
}

/**
 * pii.yaml is read here only for its entity types; its own loader (the gateway's, `policy check`'s)
 * refuses it when it is not UTF-8, once, without hiding routing.yaml's problems.
 */
const lenientText: Decode = (_path, bytes) => bytes.toString("utf8");

async function findFile(name: string, dir: string, fallbackDir: string | undefined): Promise<ReadFile | undefined> {
  const limit = name === INTENTS_FILE ? INTENTS_FILE_LIMIT : POLICY_FILE_LIMIT;
  const decode = name === PII_FILE ? lenientText : configText;
  return (await readIfExists(join(dir, name), limit, decode)) ?? (fallbackDir ? await readIfExists(join(fallbackDir, name), limit, decode) : undefined);
}

const infoOf = (file: ReadFile): PolicyFileInfo => ({ path: file.path, sha256: createHash("sha256").update(file.text).digest("hex"), bytes: file.bytes });

/** A policy file's hash as `loadPolicyDir` records it (looked for in `dir`, then `fallbackDir`); undefined when missing. */
export async function policyFileInfo(name: string, dir: string, fallbackDir?: string): Promise<PolicyFileInfo | undefined> {
  const file = await findFile(name, dir, fallbackDir);
  return file ? infoOf(file) : undefined;
}

export async function loadPolicyDir(options: LoadPolicyOptions): Promise<LoadedPolicy> {
  await expectPolicyFolder(options.dir);
  const routingPath = join(options.dir, ROUTING_FILE);
  const routing = await readIfExists(routingPath);
  if (!routing) throw new ConfigError([await fileNotFound(routingPath)]);
  const intents = await findFile(INTENTS_FILE, options.dir, options.fallbackDir);
  const read: ReadFile[] = [routing];
  if (intents) read.push(intents);

  const problems: ConfigProblem[] = [];
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
      problems.push(await fileNotFound(join(options.dir, MODELS_FILE), " (the model catalog the routing targets refer to)"));
    } else {
      read.push(models);
      const modelsDir = dirname(models.path);
      try {
        ({ registry, providers } = await loadGatewayConfig({ SWITCHYARD_POLICY_DIR: modelsDir }, modelsDir));
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        appendProblems(problems, error.problems);
      }
    }
  }

  // pii.yaml on disk is read only for what the running engine did not say.
  const needsPiiFile = !options.piiTypes || (!options.piiHashKey && options.env !== undefined);
  const pii = needsPiiFile ? await findFile(PII_FILE, options.dir, options.fallbackDir) : undefined;
  const catalog = registry ? catalogFromRegistry(registry) : undefined;
  const input: PolicyCheckInput = {
    dir: options.dir,
    routing,
    intents,
    intentsYmlThere: !intents && (await ymlIsThere(join(options.dir, INTENTS_FILE))),
    pii,
    catalog,
    labels: options.labels,
    classifier: options.classifier,
    piiTypes: options.piiTypes,
    piiHashKey: options.piiHashKey,
    env: options.env,
    ...(options.registry ? { catalogSource: RUNNING_CATALOG } : {}),
    ...(options.piiTypes ? { piiSource: RUNNING_PII_ENGINE } : {}),
  };
  const checked = options.check ? await options.check(input) : checkPolicyFiles(input);
  appendProblems(problems, checked.problems);
  if (!registry || !catalog || !checked.routing || problems.length > 0) throw new ConfigError(problems, checked.omitted);

  const files = [...read.map(infoOf), ...(modelsInfo ? [modelsInfo] : [])]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const routes = checked.intents?.routes ?? new Map<string, Location>();
  const policy = withinStack(routing.path, () => compilePolicy(checked.routing as RoutingFile, { version: versionOf(files), catalog, intentRoutes: routes }));
  return { policy, files, warnings: checked.warnings, registry, ...(providers ? { providers } : {}) };
}

/**
 * A warning for each policy file saved as `.yml` in `dir`: the gateway reads `budgets.yaml` only, so
 * a `budgets.yml` left every tenant without a budget (a `context.yml`, the default settings) without
 * a word, though the operator had written them. Not part of a load's `warnings`: they are of the
 * folder, not of the files a version is built from, so the store takes them again at every reload
 * (a rename fixes them without changing the version).
 */
export async function misnamedFiles(dir: string, files: readonly string[] = POLICY_FOLDER_FILES): Promise<string[]> {
  let names: Set<string>;
  try {
    names = new Set(await readdir(dir));
  } catch {
    return []; // the files' own reads said why
  }
  return files.map((name) => [name, ymlName(name)] as const)
    .filter(([, misnamed]) => names.has(misnamed))
    .map(([name, misnamed]) => `${misnamed} is not read: the gateway reads ${name}; rename it (or remove it)`);
}

/** routing.yaml's text and what it is compiled against. */
export interface CompileRoutingInput extends RoutingReferenceInput {
  text: string;
  /** Default: a hash of `text`. */
  version?: string | undefined;
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
  const source = parseYamlText(input.file, input.text, RoutingFileSchema);
  const { problems, warnings } = checkRoutingReferences(source, input);
  if (problems.length > 0) throw new ConfigError(problems);
  const intentRoutes = input.intents?.routes ?? new Map<string, Location>();
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
