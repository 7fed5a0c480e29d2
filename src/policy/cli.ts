/**
 * `npm run cli -- policy check [dir]` and `npm run cli -- policy explain --request <file.json> [--policy <dir>]`.
 *
 * `check` loads the directory exactly as the gateway does — every file it reads: routing.yaml,
 * models.yaml, intents.yaml, pii.yaml, budgets.yaml, context.yaml (`checkPolicyDir`) — and checks intent names against the classifier's labels — `classifiers/default`'s `config.json` when it
 * exists, `--classifier <dir>` for another model, `--classifier none` for intents.yaml's names only;
 * without the flag, `SWITCHYARD_CLASSIFIER_DIR` as the gateway reads it (a folder it names that is no
 * model fails the check, as it fails start-up). Relative paths are the operator's: see `processIO` —
 * and prints every problem as `file:line:col: path: message`; exit 0 when valid, 1 when not.
 *
 * `explain` prints the dry-run decision for a chat request body, as `POST /v1/route` would answer it
 * (plus `policy`, the version, and `decision`, the full decision object). The classifier and PII scan
 * are the real ones when available and degrade visibly when not (a `note:` on stderr):
 * - intent: `--intent` (with `--confidence`, `--unsure`) wins; else an injected classifier; else
 *   `loadIntentClassifier` from `classifiers/index.ts` on `classifiers/default` (or `--classifier <dir>`);
 *   if that module or model is missing, the request has no intent: intent conditions do not hold and
 *   `intent_default` goes to `unclassified_route`.
 * - PII: `--pii TYPE,TYPE` (or `--pii none`) wins; else an injected scanner; else the PII engine with the
 *   policy directory's `pii.yaml`; without one, no PII is assumed.
 * - API keys: which providers have theirs is read from the environment, as the gateway reads its own
 *   (`unconfiguredProviders`); the models of a provider without its key are skipped as the gateway
 *   skips them, with a `note:` naming the provider and the variable.
 * - The rest comes from flags with neutral defaults: `--tenant`, `--header 'name: value'` (repeatable),
 *   `--prompt-tokens` (default: the estimate by script, src/api/token-estimate.ts), `--local-queue`, `--local-unhealthy`, `--budget-exceeded`,
 *   `--sticky target:turns[:intent]`.
 * A file it reads that the gateway would refuse (routing.yaml, models.yaml, intents.yaml, pii.yaml,
 * budgets.yaml for `--budget-exceeded`) prints its problems as `check` does, exit 1.
 * A request the gateway would refuse before calling a model prints `{ status, error, policy }`, as
 * `POST /v1/route` answers it, for the refusals that need no running gateway (the decided model's
 * capabilities, `n > 1`, a budget with `action: deny`, pii.yaml keeping a cloud-bound request on the
 * host with no local model able to take it); context length, PII blocks and stored
 * sessions are not predicted (docs/POLICIES.md#cli).
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ClassifierModelError } from "../../classifiers/errors.js";
import { ChatCompletionRequestSchema, type ChatCompletionRequest } from "../api/chat-request.js";
import { decodeBody, parseJsonText } from "../api/parse-body.js";
import { classifierProblem, type ClassifierSetting } from "../cli/classifier-problem.js";
import { UsageError, asksForHelp, type CliCommand, type CliIO } from "../cli/command.js";
import { EnvSchema, SHIPPED_POLICY_DIR, setVariables } from "../config/env.js";
import { numberBetween, wholeNumber } from "../config/env-number.js";
import { ConfigError, formatPath } from "../config/yaml-file.js";
import pino from "pino";
import { GatewayError } from "../errors.js";
import { capabilityRefusal, denialFor } from "../pipeline/deny.js";
import { KeepLocalError } from "../pipeline/stages/prepare.js";
import { unconfiguredProviders } from "../providers/unconfigured.js";
import { BUILTIN_ENTITY_TYPES } from "../pii/entity.js";
import type { PiiPolicy } from "../pii/policy/schema.js";
import { BUDGETS_FILE, PII_FILE, type PiiRouteAction } from "./schema.js";
import { keptOnHost } from "./fallback.js";
import { budgetExceeded } from "../usage/budgets/guard.js";
import { loadBudgetPolicy } from "../usage/budgets/load.js";
import { budgetRuleFor } from "../usage/budgets/schema.js";
import { monthOf, nextMonthStart } from "../usage/buckets.js";
import { readClassifierInfo } from "./classifier-info.js";
import { checkPolicyDir } from "./check.js";
import { createExplain, dryRunResponse, type PiiFindings } from "./explain.js";
import { featuresFromRequest, lastUserText, promptTokenCounts, requestTexts, type Classification, type StickyState } from "./features.js";
import { loadPolicyDir } from "./load.js";

const REPO_ROOT = resolve(import.meta.dirname, "../..");
export const DEFAULT_CLASSIFIER_DIR = join(REPO_ROOT, "classifiers", "default");

export interface PolicyCommandDeps {
  /** Classifies a text (the gateway's classifier); when absent the default classifier is loaded if it exists. */
  classify?: (text: string) => Promise<Classification | undefined> | Classification | undefined;
  /** Scans texts for PII; when absent the PII engine is built from the policy directory's pii.yaml if possible. */
  scanPii?: (texts: string[]) => Promise<PiiFindings> | PiiFindings;
  /** Classifier labels for `check` (intent names in rules must be among them). */
  labels?: readonly string[];
  /** Where the default classifier lives (tests). */
  classifierDir?: string;
  /** The module exporting `loadIntentClassifier` (tests). Default: classifiers/index.ts. */
  classifierModule?: string;
}

const USAGE = `usage:
  policy check [dir] [--classifier <model dir>|none]
  policy explain --request <file.json|-> [--policy <dir>] [--tenant <id>] [--header 'name: value']...
                 [--intent <name> [--confidence <0..1>] [--unsure]] [--pii TYPE,…|none] [--prompt-tokens <n>]
                 [--local-queue <n>] [--local-unhealthy] [--budget-exceeded] [--sticky <model>:<turns>[:<intent>]]
                 [--classifier <model dir>|none]`;

export function createPolicyCommand(deps: PolicyCommandDeps = {}): CliCommand {
  return {
    summary: "check a routing policy directory, or explain the routing decision for a request",
    async run(argv, io) {
      const [sub, ...rest] = argv;
      if (sub === "help" || asksForHelp(argv)) {
        io.stdout.write(`${USAGE}\n`);
        return 0;
      }
      if (sub === "check") return check(rest, io, deps);
      if (sub === "explain") return reportingConfigErrors(io, () => explain(rest, io, deps));
      throw new UsageError(`${sub ? `unknown subcommand '${sub}'` : "missing subcommand"}\n${USAGE}`);
    },
  };
}

export const policyCommand: CliCommand = createPolicyCommand();

function parse(argv: string[], options: NonNullable<ParseArgsConfig["options"]>, positionals: boolean) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: positionals, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
}

/**
 * A file of the folder the gateway would refuse at start-up (routing, budgets, PII…): its problems as
 * `file:line:col: path: message` and exit 1, as `policy check` prints them — never a stack trace.
 */
async function reportingConfigErrors(io: CliIO, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return 1;
  }
}

const policyDirOf = (io: CliIO, given: string | undefined) => resolve(io.cwd, given ?? io.env.SWITCHYARD_POLICY_DIR ?? SHIPPED_POLICY_DIR);

async function check(argv: string[], io: CliIO, deps: PolicyCommandDeps): Promise<number> {
  const args = parse(argv, { classifier: { type: "string" } }, true);
  if (args.positionals.length > 1) throw new UsageError(`policy check takes one directory\n${USAGE}`);
  const dir = policyDirOf(io, args.positionals[0]);
  const given = args.values.classifier as string | undefined;
  const classifier = classifierOf(io, given, deps);
  const labels = await labelsFor(classifier, given === "none" ? "none" : classifier.setting ? "load" : "read", io, deps);
  if (labels === false) return 1;
  // The folder the labels came from: intents.yaml ahead of it (not retrained) is warned about.
  const classifierInfo = labels && !deps.labels ? await readClassifierInfo(classifier.dir) : undefined;
  try {
    const { policy, files, otherFiles, warnings } = await checkPolicyDir({ dir, labels, classifier: classifierInfo, env: io.env });
    for (const warning of warnings) io.stderr.write(`warning: ${warning}\n`);
    io.stdout.write(
      `ok: ${dir}: routing policy ${policy.version}, ${policy.rules.length} rules + default; files: ${[...files.map((f) => f.path), ...otherFiles].join(", ")}` +
        `${labels ? `; intents checked against ${labels.length} classifier labels` : ""}\n`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`${error.message}\n`);
    io.stderr.write(`policy check: ${error.problems.length} problem${error.problems.length === 1 ? "" : "s"} in ${dir}\n`);
    return 1;
  }
}

interface ClassifierChoice {
  dir: string;
  /** What named the folder; undefined for the bundled one. */
  setting: ClassifierSetting | undefined;
}

/**
 * The classifier folder the gateway would load: `--classifier`, else SWITCHYARD_CLASSIFIER_DIR (read
 * by serve too, so a check without it would pass a model the gateway never runs), else the bundled one.
 */
function classifierOf(io: CliIO, given: string | undefined, deps: PolicyCommandDeps): ClassifierChoice {
  if (given) return { dir: resolve(io.cwd, given), setting: "--classifier" };
  const fromEnv = io.env.SWITCHYARD_CLASSIFIER_DIR;
  if (fromEnv) return { dir: resolve(io.cwd, fromEnv), setting: "SWITCHYARD_CLASSIFIER_DIR" };
  return { dir: deps.classifierDir ?? DEFAULT_CLASSIFIER_DIR, setting: undefined };
}

/**
 * How a command reads the classifier's labels: `load` the folder as serve loads it (a folder serve refuses
 * is refused, with the same words), `read` its config.json's labels if it has any, or use `none`.
 */
type LabelSource = "load" | "read" | "none";

/**
 * The labels intent names are checked against; `false` after printing why the folder a `load` names is
 * no model: the gateway would refuse to start on it, so the check must not pass.
 */
async function labelsFor(classifier: ClassifierChoice, source: LabelSource, io: CliIO, deps: PolicyCommandDeps): Promise<readonly string[] | undefined | false> {
  if (source === "none") return undefined;
  if (deps.labels) return deps.labels;
  if (source === "read") return classifierLabels(classifier.dir, io);
  // Loaded as serve loads it, so a folder serve refuses is refused here with the same words.
  const { loadIntentClassifier } = await import("../../classifiers/load.js");
  try {
    const model = await loadIntentClassifier(classifier.dir);
    const labels = [...model.labels];
    await model.dispose();
    return labels;
  } catch (error) {
    if (!(error instanceof ClassifierModelError)) throw error;
    io.stderr.write(`${classifierProblem(error, classifier.setting)}\n`);
    return false;
  }
}

/** The labels of a transformers.js classifier folder (`config.json` `id2label`), if there is one. */
async function classifierLabels(dir: string, io: CliIO): Promise<string[] | undefined> {
  const file = join(dir, "config.json");
  if (!existsSync(file)) return undefined;
  try {
    const config = JSON.parse(await readFile(file, "utf8")) as { id2label?: Record<string, string> };
    const labels = Object.values(config.id2label ?? {});
    return labels.length > 0 ? labels : undefined;
  } catch (error) {
    io.stderr.write(`note: cannot read classifier labels from ${file}: ${(error as Error).message}\n`);
    return undefined;
  }
}

async function explain(argv: string[], io: CliIO, deps: PolicyCommandDeps): Promise<number> {
  const args = parse(
    argv,
    {
      request: { type: "string" },
      policy: { type: "string" },
      tenant: { type: "string" },
      header: { type: "string", multiple: true },
      intent: { type: "string" },
      confidence: { type: "string" },
      unsure: { type: "boolean" },
      pii: { type: "string" },
      "prompt-tokens": { type: "string" },
      "local-queue": { type: "string" },
      "local-unhealthy": { type: "boolean" },
      "budget-exceeded": { type: "boolean" },
      sticky: { type: "string" },
      classifier: { type: "string" },
    },
    false,
  );
  const v = args.values as Record<string, string | string[] | boolean | undefined>;
  if (typeof v.request !== "string") throw new UsageError(`policy explain needs --request <file.json>\n${USAGE}`);

  const body = await readRequest(v.request, io);
  if (!body) return 1;
  const previousUserTurns = previousUserTurnsOf(io);
  if (previousUserTurns === false) return 1;
  const dir = policyDirOf(io, v.policy as string | undefined);
  const noClassifier = v.classifier === "none";
  const givenClassifier = typeof v.classifier === "string" ? v.classifier : undefined;
  const classifier = classifierOf(io, givenClassifier, deps);
  const classifierDir = classifier.dir;

  // A --classifier folder that is no model is only noted here (explaining degrades visibly without
  // one), so its labels are read from its config.json rather than by loading it as `check` does.
  const source = noClassifier ? "none" : classifier.setting === "SWITCHYARD_CLASSIFIER_DIR" ? "load" : "read";
  const labels = await labelsFor(classifier, source, io, deps);
  if (labels === false) return 1;
  const loaded = await loadPolicyDir({ dir, labels, env: io.env });
  const policy = loaded.policy;

  const headers = new Map<string, string>();
  for (const raw of (v.header as string[] | undefined) ?? []) {
    const colon = raw.indexOf(":");
    if (colon <= 0) throw new UsageError(`--header expects 'name: value', got '${raw}'`);
    const name = raw.slice(0, colon).trim().toLowerCase();
    const value = raw.slice(colon + 1).trim();
    // A header sent twice reaches the gateway as one value, joined with ", " (as Node and fetch read it).
    const earlier = headers.get(name);
    headers.set(name, earlier === undefined ? value : `${earlier}, ${value}`);
  }

  // A misspelt --intent or --pii type is a request the gateway never sees: its classifier answers only
  // its labels, its PII engine only its types. Explained as given, no rule naming it fired, silently.
  const intents = labels ?? [...policy.intentRoutes.keys()];
  if (typeof v.intent === "string") refuseUnknown("--intent", [v.intent], intents, "intent");
  if (typeof v.sticky === "string") refuseUnknown("--sticky", [parseSticky(v.sticky).intent ?? ""].filter(Boolean), intents, "intent");
  if (typeof v.pii === "string" && v.pii !== "none") refuseUnknown("--pii", piiFlagTypes(v.pii), await piiTypesFor(dir), "PII type");

  const classification = await classifyForExplain(body, v, io, deps, noClassifier ? undefined : classifierDir, previousUserTurns);
  const pii = await piiForExplain(body, v, io, deps, dir);
  // Read from this environment as the gateway reads its own: run where the gateway runs to predict it.
  const unconfigured = unconfiguredProviders(loaded.providers ?? {}, io.env);
  for (const [id, why] of Object.entries(unconfigured ?? {})) {
    io.stderr.write(`note: provider '${id}' is not configured (${why}): its models are skipped, as the gateway skips them in this environment; set the variable to explain with it\n`);
  }
  // The policy's header names and those given on the command line: the output shows them.
  const headerNames = [...new Set([...headers.keys(), ...policy.headerNames])];
  const features = featuresFromRequest(body, {
    tenant: typeof v.tenant === "string" ? v.tenant : "anonymous",
    header: (name) => headers.get(name),
    headerNames,
    classification,
    // As the gateway sizes it (`promptTokenCounts`): a target that can hold the newest turn serves a long conversation.
    ...promptTokenCounts(body, typeof v["prompt-tokens"] === "string" ? nonNegativeInt(v["prompt-tokens"], "--prompt-tokens") : undefined),
    piiTypes: pii.types,
    local: {
      queueDepth: typeof v["local-queue"] === "string" ? nonNegativeInt(v["local-queue"], "--local-queue") : 0,
      healthy: v["local-unhealthy"] !== true,
    },
    // --local-unhealthy: models.yaml's defaults.local is down, the model itself as well as for `local_healthy`.
    unhealthyModels: v["local-unhealthy"] === true && policy.catalog.defaultLocal ? [policy.catalog.defaultLocal.id] : undefined,
    unconfiguredProviders: unconfigured,
    budgetExceeded: v["budget-exceeded"] === true,
    sticky: typeof v.sticky === "string" ? parseSticky(v.sticky) : undefined,
  });
  const tenant = typeof v.tenant === "string" ? v.tenant : "anonymous";
  // Refused before routing, as by the gateway: a spent budget whose action is deny.
  const budgetDenial = features.budgetExceeded ? await budgetDenialFor(dir, tenant) : undefined;
  if (budgetDenial) return printRefusal(io, budgetDenial, policy.version);
  const run = createExplain({
    policy: () => policy,
    headerNames,
    // Used only where the gateway classifies: a request an earlier rule settles gets no intent.
    classify: async () => classification,
    scanPii: async () => pii,
    promptTokens: () => features.promptTokens,
    local: () => features.local,
    unhealthyModels: () => features.unhealthyModels,
    unconfiguredProviders: () => features.unconfiguredProviders,
    budgetExceeded: () => features.budgetExceeded,
    sticky: () => features.sticky,
    // The gateway's checks that need no running model; a context too long for the model's runtime
    // window is not predicted (it needs the model's tokenizer).
    refusal: (request, decision) =>
      decision.kind === "deny" ? denialFor(decision, request, loaded.registry, () => {}) : capabilityRefusal(request, loaded.registry.get(decision.model)),
  });
  let result;
  try {
    result = await run(body, { requestId: "policy-explain", tenant: { id: tenant }, header: (name) => headers.get(name), signal: new AbortController().signal, log: silentLog });
  } catch (error) {
    if (error instanceof GatewayError) return printRefusal(io, error, policy.version);
    throw error;
  }
  // pii.yaml keeps a cloud-bound request on the host: the step-down the gateway takes (keptOnHost).
  const decided = result.decision;
  const kept = decided.kind === "route" && decided.route === "cloud" ? keptLocalTypes(await piiPolicyForExplain(dir), body, pii.types, decided.pii) : undefined;
  if (kept && decided.kind === "route") {
    const onHost = keptOnHost(decided, result.features, policy, kept);
    if (!onHost) return printRefusal(io, new KeepLocalError(kept), policy.version);
    const refusal = capabilityRefusal(body, loaded.registry.get(onHost.model));
    if (refusal) return printRefusal(io, refusal, policy.version);
    result = { ...result, decision: onHost };
  }
  if (typeof v.intent === "string" && result.features.unsure === undefined) {
    io.stderr.write(`note: the gateway does not classify this request (rule '${result.decision.rule}' decides without an intent): --intent is not used\n`);
  }
  io.stdout.write(`${JSON.stringify({ ...dryRunResponse(result), policy: policy.version, decision: result.decision }, null, 2)}\n`);
  return 0;
}

const silentLog = pino({ enabled: false });

/** A request the gateway refuses before calling a model: the status and body `POST /v1/route` answers. */
function printRefusal(io: CliIO, error: GatewayError, version: string): number {
  io.stdout.write(`${JSON.stringify({ status: error.status, ...error.toJSON(), policy: version }, null, 2)}\n`);
  return 0;
}

/** The gateway's 429 for a tenant whose budget (budgets.yaml) is spent and whose action is deny; spend assumed at the limit. */
async function budgetDenialFor(dir: string, tenant: string): Promise<GatewayError | undefined> {
  const rule = budgetRuleFor(await loadBudgetPolicy(join(dir, BUDGETS_FILE)), tenant);
  if (rule?.action !== "deny") return undefined;
  const now = Date.now();
  return budgetExceeded(
    { tenant, month: monthOf(now), exceeded: true, spentUsd: rule.monthly_usd, limitUsd: rule.monthly_usd, action: rule.action, resetsAt: nextMonthStart(now) },
    now,
  );
}

async function readRequest(file: string, io: CliIO): Promise<ChatCompletionRequest | undefined> {
  let bytes: Buffer;
  try {
    if (file === "-") {
      const chunks: Buffer[] = [];
      for await (const chunk of io.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
      bytes = Buffer.concat(chunks);
    } else {
      bytes = await readFile(resolve(io.cwd, file));
    }
  } catch (error) {
    io.stderr.write(`${file}: cannot read: ${(error as Error).message}\n`);
    return undefined;
  }
  let json: unknown;
  try {
    // The HTTP route's own reading (a BOM dropped; bytes that are not UTF-8, JSON nested past its
    // limit refused): read leniently, a body the gateway answers with a 400 was explained as routed.
    json = parseJsonText(decodeBody(new Uint8Array(bytes).buffer));
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    io.stderr.write(`${file}: ${error.message}\n`);
    return undefined;
  }
  const result = ChatCompletionRequestSchema.safeParse(json);
  if (!result.success) {
    for (const issue of result.error.issues) io.stderr.write(`${file}: ${formatPath(issue.path) || "body"}: ${issue.message}\n`);
    return undefined;
  }
  return result.data;
}

/** Read as the environment's numbers are: decimal digits only, so `' '` is not 0 and `0x10` not 16. */
function nonNegativeInt(text: string, flag: string): number {
  const result = wholeNumber(0).safeParse(text);
  if (!result.success) throw new UsageError(`${flag} expects a non-negative integer, got '${text}'`);
  return result.data;
}

function parseSticky(text: string): StickyState {
  const [target, turns, intent] = text.split(":");
  if (!target || turns === undefined) throw new UsageError(`--sticky expects <model>:<turns>[:<intent>], got '${text}'`);
  const state: StickyState = { target, turnsLeft: nonNegativeInt(turns, "--sticky turns") };
  if (intent) state.intent = intent;
  return state;
}

type Values = Record<string, string | string[] | boolean | undefined>;

/**
 * SWITCHYARD_CLASSIFIER_PREVIOUS_TURNS as serve reads it, so the classifier reads the same text here
 * as in the gateway's dry run; `false` after printing why the value is refused (serve refuses it too).
 */
function previousUserTurnsOf(io: CliIO): number | false {
  const name = "SWITCHYARD_CLASSIFIER_PREVIOUS_TURNS";
  const result = EnvSchema.shape[name].safeParse(setVariables(io.env)[name]);
  if (result.success) return result.data;
  io.stderr.write(`environment: ${name}: ${result.error.issues[0]?.message ?? "invalid"}\n`);
  return false;
}

async function classifyForExplain(
  body: ChatCompletionRequest,
  v: Values,
  io: CliIO,
  deps: PolicyCommandDeps,
  classifierDir: string | undefined,
  previousUserTurns: number,
): Promise<Classification | undefined> {
  if (typeof v.intent === "string") {
    const confidence = typeof v.confidence === "string" ? numberBetween(0, 1).safeParse(v.confidence) : { success: true as const, data: 1 };
    if (!confidence.success) throw new UsageError(`--confidence expects a number from 0 to 1, got '${String(v.confidence)}'`);
    return { intent: v.intent, confidence: confidence.data, unsure: v.unsure === true };
  }
  if (deps.classify) return (await deps.classify(lastUserText(body))) ?? undefined;
  if (!classifierDir) {
    io.stderr.write("note: --classifier none: explaining without an intent\n");
    return undefined;
  }
  const classifier = await loadDefaultClassifier(classifierDir, deps.classifierModule, io, previousUserTurns);
  if (!classifier) return undefined;
  try {
    return await classifier(body);
  } catch (error) {
    io.stderr.write(`note: the classifier failed (${(error as Error).message}); explaining without an intent\n`);
    return undefined;
  }
}

/**
 * Loads `classifiers/index.ts`'s `loadIntentClassifier(dir)` dynamically (the classifier is optional
 * for the router) and adapts whatever it returns that has `classify(text)` or `predict(text)`.
 */
async function loadDefaultClassifier(
  dir: string,
  moduleOverride: string | undefined,
  io: CliIO,
  previousUserTurns: number,
): Promise<((body: ChatCompletionRequest) => Promise<Classification | undefined>) | undefined> {
  const degrade = (why: string) => {
    io.stderr.write(`note: no intent classifier (${why}); explaining without an intent: intent conditions do not hold, intent_default uses unclassified_route. Pass --intent to simulate one.\n`);
    return undefined;
  };
  if (!existsSync(dir)) return degrade(`${dir} does not exist`);
  const specifier = moduleOverride ?? pathToFileURL(join(REPO_ROOT, "classifiers", "index.js")).href;
  let mod: {
    loadIntentClassifier?: (dir: string) => Promise<unknown>;
    selectClassifierText?: (messages: ChatCompletionRequest["messages"], options?: { previousUserTurns?: number }) => string;
  };
  try {
    mod = (await import(specifier)) as typeof mod;
  } catch (error) {
    return degrade(`cannot load classifiers/index.ts: ${(error as Error).message.split("\n")[0]}`);
  }
  if (typeof mod.loadIntentClassifier !== "function") return degrade("classifiers/index.ts exports no loadIntentClassifier");
  let classifier: unknown;
  try {
    classifier = await mod.loadIntentClassifier(dir);
  } catch (error) {
    return degrade(`loading ${dir} failed: ${(error as Error).message.split("\n")[0]}`);
  }
  const c = classifier as { classify?: (t: string) => unknown; predict?: (t: string) => unknown };
  const run = typeof c.classify === "function" ? c.classify.bind(c) : typeof c.predict === "function" ? c.predict.bind(c) : undefined;
  if (!run) return degrade("the loaded classifier has neither classify(text) nor predict(text)");
  const select = mod.selectClassifierText;
  return async (body) => {
    // The classifier's own choice of text (by default the last user message) when it exports one.
    const text = typeof select === "function" ? select(body.messages, { previousUserTurns }) : lastUserText(body);
    const out = (await run(text)) as (Partial<Classification> & { noEvidence?: boolean }) | undefined;
    if (!out || typeof out.intent !== "string") return undefined;
    // As the gateway: nothing readable in the text is unsure without an intent (the tie's first label is no finding).
    if (out.noEvidence === true) return { intent: undefined, confidence: undefined, unsure: true };
    return { intent: out.intent, confidence: typeof out.confidence === "number" ? out.confidence : 1, unsure: out.unsure === true };
  };
}

const NON_TEXT_PARTS = new Set(["image_url", "input_audio", "file"]);
/** `policy explain`'s PII scan budget (pii.yaml's `scan.budget_ms` is for the serving gateway). */
const EXPLAIN_SCAN_BUDGET_MS = 60_000;
/** The sanitizer's tally of an image, audio or file part (src/pii/walker.ts), not personal data found. */
const NON_TEXT_CONTENT = "NON_TEXT_CONTENT";

/**
 * The types pii.yaml keeps on the host when the request goes to a cloud model with the route's PII
 * action (`keep_local` rules of the types found, `non_text_content.cloud: keep_local` for an image,
 * audio or file part), as the sanitizer tallies them; undefined when none. A route action other than
 * `default` replaces the per-type rules, as in the sanitizer. Blocks are not predicted (docs).
 */
function keptLocalTypes(policy: PiiPolicy | undefined, body: ChatCompletionRequest, types: readonly string[], action: PiiRouteAction): string[] | undefined {
  if (!policy) return undefined;
  const kept = new Set<string>();
  if (action === "default") {
    for (const type of types) if ((policy.entities[type]?.cloud ?? policy.defaults.cloud) === "keep_local") kept.add(type);
  }
  const nonText = body.messages.some((m) => Array.isArray(m.content) && m.content.some((part) => NON_TEXT_PARTS.has((part as { type?: string }).type ?? "")));
  if (nonText && policy.non_text_content.cloud === "keep_local") kept.add("NON_TEXT_CONTENT");
  return kept.size > 0 ? [...kept].sort() : undefined;
}

/** The policy directory's pii.yaml, when it has one (an invalid one is the gateway's start-up error: printed, exit 1). */
async function piiPolicyForExplain(dir: string): Promise<PiiPolicy | undefined> {
  const piiFile = join(dir, PII_FILE);
  if (!existsSync(piiFile)) return undefined;
  const { loadPiiPolicy } = (await import(pathToFileURL(join(REPO_ROOT, "src", "pii", "policy", "load.js")).href)) as { loadPiiPolicy(file: string): Promise<PiiPolicy> };
  return loadPiiPolicy(piiFile);
}

/** The types `--pii TYPE,TYPE` names. */
const piiFlagTypes = (flag: string): string[] => flag.split(",").map((t) => t.trim()).filter(Boolean);

/** The types the gateway's PII engine would report: the built-in ones and pii.yaml's custom recognizers'. */
async function piiTypesFor(dir: string): Promise<string[]> {
  const policy = await piiPolicyForExplain(dir);
  return [...BUILTIN_ENTITY_TYPES, ...(policy?.custom_recognizers ?? []).map((recognizer) => recognizer.type)];
}

/** A usage error naming the first of `given` not among `known` (none known: nothing to check against). */
function refuseUnknown(flag: string, given: readonly string[], known: readonly string[], what: string): void {
  if (known.length === 0) return;
  const unknown = given.find((name) => !known.includes(name));
  if (unknown !== undefined) throw new UsageError(`${flag}: unknown ${what} '${unknown}'; known: ${known.join(", ")}`);
}

async function piiForExplain(body: ChatCompletionRequest, v: Values, io: CliIO, deps: PolicyCommandDeps, dir: string): Promise<PiiFindings> {
  if (typeof v.pii === "string") return { types: v.pii === "none" ? [] : piiFlagTypes(v.pii) };
  if (deps.scanPii) return deps.scanPii(requestTexts(body));
  const piiFile = join(dir, PII_FILE);
  if (!existsSync(piiFile)) {
    io.stderr.write(`note: no ${piiFile}; explaining without a PII scan (pass --pii TYPE,… to simulate findings)\n`);
    return { types: [] };
  }
  try {
    const pii = (await import(pathToFileURL(join(REPO_ROOT, "src", "pii", "index.js")).href)) as typeof import("../pii/index.js");
    const loaded = await pii.loadPiiPolicy(piiFile);
    // The scan's time budget guards a serving gateway's latency; a one-off command starting cold
    // would fail it where a warm gateway does not, and predict a request without its PII.
    const policy = { ...loaded, scan: { ...loaded.scan, budget_ms: EXPLAIN_SCAN_BUDGET_MS } };
    // The types found do not depend on the hash key, only the values written for them: a stand-in
    // lets a folder whose pii.yaml hashes be explained where the key is not set.
    const env = setVariables(io.env);
    const sanitizer = pii.createSanitizer({ policy, engine: pii.createPiiEngine(policy), env: { ...env, [policy.hash.key_env]: env[policy.hash.key_env] || "policy-explain-scan-only" } });
    // The gateway's scan (the analyze stage): the request as it would leave for the cloud, every field
    // it carries (a message's name, metadata, tool calls and schemas, fields the gateway does not know).
    const scan = sanitizer.sanitizeForCloud(body, { vault: new pii.PseudonymVault(), tenant: typeof v.tenant === "string" ? v.tenant : "anonymous" });
    if (scan.kind === "failed") {
      io.stderr.write(`note: the PII scan failed (${scan.error.message}); the gateway routes such a request as without PII (pii.yaml's scan.on_failure applies at egress)\n`);
      return { types: [] };
    }
    const counts: Record<string, number> = {};
    for (const entry of scan.summary) counts[entry.type] = (counts[entry.type] ?? 0) + entry.count;
    // Images, audio and files are no PII found for `pii_found` (the gateway's `piiTypesOf`).
    return { types: Object.keys(counts).filter((type) => type !== NON_TEXT_CONTENT).sort(), counts };
  } catch (error) {
    // An invalid pii.yaml stops the gateway: a prediction made without it would be one it never makes.
    if (error instanceof ConfigError) throw error;
    io.stderr.write(`note: PII scan unavailable (${(error as Error).message.split("\n")[0]}); explaining without PII (pass --pii to simulate)\n`);
    return { types: [] };
  }
}
