/**
 * The composition root: the only module that knows every other one. It builds the gateway from its
 * configuration; everything below receives what it needs as arguments.
 */
import { join, resolve } from "node:path";
import { Hono } from "hono";
import type { Logger } from "pino";
import { DEFAULT_MODEL_DIR, loadIntentClassifier } from "../classifiers/index.js";
import { LiveClassifier } from "./policy/live-classifier.js";
import { adminPolicyRoutes } from "../routes/admin-policies.js";
import { chatCompletionsRoutes } from "../routes/chat-completions.js";
import { dashboardRoutes } from "../routes/dashboard.js";
import { bodyTooLarge, handleError, handleUnknownRoute } from "../routes/errors.js";
import { healthRoutes } from "../routes/health.js";
import { metricsRoutes } from "../routes/metrics.js";
import { modelsRoutes } from "../routes/models.js";
import { piiRoutes } from "../routes/pii.js";
import { routeDryRunRoutes } from "../routes/route-dry-run.js";
import { sessionRoutes } from "../routes/sessions.js";
import { usageRoutes } from "../routes/usage.js";
import { keyDigest, parseApiKeys } from "./auth/api-keys.js";
import type { GatewayConfig } from "./config/load.js";
import { watchFile } from "./config/watch-file.js";
import { ConfigError } from "./config/yaml-file.js";
import { loadContextConfig } from "./context/config.js";
import { createContextStoreFromConfig } from "./context/create.js";
import { closeRedisClient, createRedisClient } from "./context/redis-client.js";
import { watchRedisHealth } from "./context/redis-health.js";
import { shuttingDown } from "./errors.js";
import type { AppEnv } from "./http/app-env.js";
import { apiKeyAuth } from "./http/middleware/auth.js";
import { plainBodiesOnly } from "./http/middleware/body-encoding.js";
import { bodySizeLimit } from "./http/middleware/body-size.js";
import { requestContext } from "./http/middleware/request-id.js";
import { RequestSignals } from "./http/request-signals.js";
import { createChatPipeline } from "./pipeline/chat-pipeline.js";
import { createPiiEngine, createSanitizer, loadPiiPolicy, piiPolicyPath } from "./pii/index.js";
import { checkPolicyFilesOffThread } from "./policy/off-thread-check.js";
import { loadFailure, policyReadiness, statusWith, withFailure, type FileReloadState } from "./policy/reload-result.js";
import { BUDGETS_FILE, CONTEXT_FILE, MODELS_FILE } from "./policy/schema.js";
import { recordStartupFiles } from "./policy/startup-files.js";
import { PolicyStore, type PolicyLoadFailure, type PolicyStatus, type ReloadResult, type ReloadTrigger } from "./policy/store.js";
import { createHttpFetch } from "./providers/cloud/http-fetch.js";
import { createProviderSet, withRuntimeContextWindows, type ProviderSetOptions } from "./providers/provider-set.js";
import type { ProviderStatus } from "./providers/types.js";
import { SerialQueue } from "./serial-queue.js";
import { readBudgetPolicy, reloadBudgetPolicy } from "./usage/budgets/load.js";
import { parseBudgetsOffThread } from "./usage/budgets/off-thread-parse.js";
import { NO_BUDGETS, sameBudgets } from "./usage/budgets/schema.js";
import { createUsage } from "./usage/create-usage.js";
import { createMetrics } from "./usage/metrics.js";
import { usageHealthProbe } from "./usage/redis-store.js";

export interface Gateway {
  app: Hono<AppEnv>;
  config: GatewayConfig;
  policies: PolicyStore;
  /** Starts background work (loading local models, connecting stores); resolves when it is done. */
  start(): Promise<void>;
  /** Re-reads the policy files (SIGHUP), as the admin API's reload does. */
  reloadPolicies(): Promise<ReloadResult>;
  /**
   * Stops the chat requests still running, and any that come later (the shutdown's deadline): their
   * generations and upstream requests end, and each request ends as a 503 `shutting_down`, a stream
   * with that error as its last event.
   */
  stopRequests(): void;
  /**
   * What an exit now would lose: chat requests still running, answered ones whose turn or usage is not
   * yet recorded, and usage records not yet written (Redis down). An exit that skips the drain logs it.
   */
  unfinished(): { requestsRunning: number; requestsUnrecorded: number; usageRecordsLost: number };
  /**
   * Releases models, connections and watchers. `deadlineAt` (epoch ms) is the shutdown deadline: usage
   * records still buffered (Redis down) are retried until then.
   */
  close(options?: { deadlineAt?: number }): Promise<void>;
}

export interface GatewayOptions extends ProviderSetOptions {
  log: Logger;
  /** Watch the policy folder and reload on change (default true). */
  watchPolicies?: boolean;
  /** The clock usage records and monthly budgets read (epoch ms); default `Date.now`. */
  usageClock?: () => number;
}

/** Usage writes happen in the background: they may wait longer on Redis than a request's context load. */
const USAGE_REDIS_TIMEOUT_MS = 2_000;

export async function createGateway(configured: GatewayConfig, options: GatewayOptions): Promise<Gateway> {
  const { log, env } = { log: options.log, env: configured.env };
  // Policy reloads warn when one of these no longer is what was read. Recorded before pii.yaml and
  // context.yaml are read below; models.yaml was read just before (loadGatewayConfig), so an edit in
  // that instant goes unnoticed.
  const startupFiles = await recordStartupFiles([join(configured.policyDir, MODELS_FILE), piiPolicyPath(configured.policyDir), join(configured.policyDir, CONTEXT_FILE)]);
  // Local models' windows as their runtimes will have them, for everything below (routing, trimming).
  const config: GatewayConfig = { ...configured, registry: await withRuntimeContextWindows(configured, log) };
  const keys = parseApiKeys(env.SWITCHYARD_API_KEYS);
  if (keys.size === 0) log.warn("SWITCHYARD_API_KEYS is not set: the gateway accepts requests without an API key (development mode)");

  const httpFetch = options.fetch ? undefined : createHttpFetch();
  const providers = createProviderSet(config, log, { fetch: options.fetch ?? httpFetch, ...(options.poolClock ? { poolClock: options.poolClock } : {}) });
  const classifierDir = env.SWITCHYARD_CLASSIFIER_DIR ? resolve(env.SWITCHYARD_CLASSIFIER_DIR) : DEFAULT_MODEL_DIR;
  // A model retrained into the folder goes live with the next policy reload that accepts it.
  const classifier = await LiveClassifier.open({ dir: classifierDir, load: (dir) => loadIntentClassifier(dir), log });
  log.info({ classifier: { dir: classifierDir, version: classifier.version, labels: classifier.labels.length } }, "intent classifier loaded");
  const piiPolicy = await loadPiiPolicy(piiPolicyPath(config.policyDir));
  const piiEngine = createPiiEngine(piiPolicy);
  const sanitizer = createSanitizer({ policy: piiPolicy, engine: piiEngine, env: config.secrets });

  const contextConfig = await loadContextConfig(config.secrets, config.policyDir);
  const budgetsFile = join(config.policyDir, BUDGETS_FILE);
  const startBudgets = await readBudgetPolicy(budgetsFile);
  const context = createContextStoreFromConfig(contextConfig, log);
  const usageRedis = contextConfig.redis
    ? createRedisClient(contextConfig.redis.target, { timeoutMs: USAGE_REDIS_TIMEOUT_MS, reconnectMaxDelayMs: contextConfig.redis.reconnectMaxDelayMs, connectionName: "switchyard-usage" })
    : undefined;
  // The context store logs its own outage transitions; this client's reconnect errors are the same outage.
  usageRedis?.on("error", (error: Error) => log.debug({ err: error }, "usage store connection error"));
  // Its status stays `ready` while a stalled Redis keeps the socket open: switchyard_redis_up asks Redis,
  // with a write refused as usage batches are (a read-only replica answers PING).
  const usageRedisHealth =
    usageRedis && contextConfig.redis
      ? watchRedisHealth(usageRedis, { intervalMs: contextConfig.redis.healthCheckMs, probe: usageHealthProbe(usageRedis, contextConfig.usageKeyPrefix) })
      : undefined;
  // Once the file has been loaded, a reload that finds it gone fails rather than lifting every budget.
  let budgetsFileLoaded = startBudgets !== undefined;
  /** The budgets in force, so a reload can say whether it changed them. */
  let budgetsInForce = startBudgets ?? NO_BUDGETS;
  const metrics = createMetrics({
    localQueueDepth: () => providers.localQueueDepths(),
    poolServers: () => providers.poolServers(),
    contextStore: () => context.status(),
    // Usage writes to one Cluster slot, sessions to every master: on a Cluster, any master down is a Redis outage.
    ...(usageRedisHealth ? { redisUp: () => usageRedisHealth.up() && context.status().partial === undefined } : {}),
    usageRecorder: () => usage.recorder.stats(),
    // Read at scrape time, when the store below exists.
    policyVersion: () => policies.version,
  });
  const usage = createUsage({
    registry: config.registry,
    providers: config.providers,
    budgetPolicy: startBudgets ?? NO_BUDGETS,
    log,
    metrics,
    ...(usageRedis ? { redis: usageRedis, redisPrefix: contextConfig.usageKeyPrefix } : {}),
    ...(options.usageClock ? { now: options.usageClock } : {}),
  });

  // Stops the workers of reloads still parsing when the gateway closes: a hostile file may keep one
  // busy up to its time limit, and the shutdown (usage records still to flush) must not wait for it.
  const reloadWorkers = new AbortController();
  // One reload worker at a time (routing, a shadow candidate, budgets.yaml): their heap limits never add up.
  const workerTurns = new SerialQueue();
  /**
   * Closes what start-up opened (the models, the stores' connections, the HTTP agent): at shutdown, and
   * when the policy store fails to open. Each is closed whether or not another one's close fails.
   */
  const release = async () => {
    const closed = await Promise.allSettled([providers.close(), context.close(), classifier.dispose()]);
    usageRedisHealth?.stop();
    if (usageRedis) await closeRedisClient(usageRedis);
    httpFetch?.close();
    for (const result of closed) if (result.status === "rejected") throw result.reason;
  };
  // The connections above open before the policy is read, so the store connects while it loads (the
  // first requests find it ready), and close again when it fails (an invalid file): left open, they
  // kept such a process from exiting (and an in-process caller would keep the models loaded).
  let policies: PolicyStore;
  try {
    policies = await PolicyStore.open({
      dir: config.policyDir,
      log,
      registry: config.registry,
      classifierSource: classifier,
      piiTypes: () => piiEngine.entityTypes,
      piiHashKey: { env: piiPolicy.hash.key_env, set: Boolean(config.secrets[piiPolicy.hash.key_env]) },
      startupFiles,
      shadowDir: env.SWITCHYARD_SHADOW_POLICY_DIR ? resolve(env.SWITCHYARD_SHADOW_POLICY_DIR) : undefined,
      pollMs: env.SWITCHYARD_POLICY_POLL_MS,
      // Reloads parse the files on a worker thread: a large or hostile file must not hold up requests.
      check: checkPolicyFilesOffThread({ signal: reloadWorkers.signal, turns: workerTurns }),
      stopSignal: reloadWorkers.signal,
    });
  } catch (error) {
    await release();
    throw error;
  }
  // Every failed load of the routing policy is counted, whichever trigger found it (file watch, admin
  // API, SIGHUP): an alert on the metric must not miss the common case, an edit the watch picked up.
  policies.onReloadFailed(() => metrics.policyReloadFailed("routing"));
  // Serialised like the routing policy's reloads: the file watch and SIGHUP may both fire for one edit.
  const budgetReloads = new SerialQueue();
  const parseBudgets = parseBudgetsOffThread({ signal: reloadWorkers.signal, turns: workerTurns });
  // Shown by GET /admin/policies beside the routing policy's own.
  const budgetsState: FileReloadState = { reloads: 0, failures: 0, lastError: null };
  const reloadBudgets = (trigger: ReloadTrigger) =>
    budgetReloads.run(async (): Promise<{ changed: boolean; failure?: PolicyLoadFailure }> => {
      try {
        const policy = await reloadBudgetPolicy(budgetsFile, { loaded: budgetsFileLoaded, parse: parseBudgets });
        if (policy) budgetsFileLoaded = true;
        const next = policy ?? NO_BUDGETS;
        const changed = !sameBudgets(budgetsInForce, next);
        if (changed) budgetsState.reloads++;
        budgetsInForce = next;
        usage.budgets.setPolicy(next);
        budgetsState.lastError = null;
        return { changed };
      } catch (error) {
        // Stopped by the gateway closing, not refused: no failure to count or alert on.
        if (reloadWorkers.signal.aborted) return { changed: false };
        metrics.policyReloadFailed(BUDGETS_FILE);
        const failure = loadFailure(error, trigger, budgetsFile);
        // As the routing policy's failure is logged: its problems as `file:line:col` lines, at most
        // MAX_REPORTED_PROBLEMS, not the error with its stack and every problem a worker sent (1,000);
        // an error that is no ConfigError (a bug) keeps its stack.
        const cause = error instanceof ConfigError ? {} : { err: error };
        log.error({ trigger, problems: failure.message.split("\n"), ...cause }, "budgets.yaml cannot be loaded (invalid, unreadable or removed); the previous budgets stay in force");
        budgetsState.failures++;
        budgetsState.lastError = failure;
        return { changed: false, failure };
      }
    });
  // The admin API and SIGHUP reload the same files as the file watches: routing and intents, and budgets.yaml.
  const reloadPolicies = async (trigger: ReloadTrigger): Promise<ReloadResult> => {
    const [routing, budgets] = await Promise.all([policies.reload(trigger), reloadBudgets(trigger)]);
    // `changed`: anything the reload put in force, new budgets included (they are not in the version).
    return withFailure(routing.ok && budgets.changed ? { ...routing, changed: true } : routing, budgets.failure);
  };
  const watches =
    options.watchPolicies === false
      ? []
      : [
          watchFile(budgetsFile, () => void reloadBudgets("watch"), {
            pollMs: env.SWITCHYARD_POLICY_POLL_MS,
            // budgets.yaml was read before the watch existed: reading it once more covers the gap.
            catchUp: true,
            onWatchError: (error, dir) => log.error({ err: error, dir }, "budgets.yaml: cannot watch a folder; changes are still found by the periodic check"),
          }),
        ];
  if (options.watchPolicies !== false) policies.watch();

  const pipeline = createChatPipeline({
    registry: config.registry,
    providers,
    policies,
    sanitizer,
    classifier,
    classifierText: { previousUserTurns: env.SWITCHYARD_CLASSIFIER_PREVIOUS_TURNS },
    context,
    usage,
    metrics,
  });

  const app = new Hono<AppEnv>();
  app.onError(handleError);
  app.notFound(handleUnknownRoute(app));
  app.use("*", requestContext({ log }));

  const policyStatus = () => statusWith(policies.status(), budgetsState);
  app.route("/", healthRoutes({ readiness: { components: async () => componentStatus(providers.all, context.status(), policyStatus()) } }));
  app.route("/", metricsRoutes({ metrics }));
  app.route("/", dashboardRoutes());
  app.route("/", adminPolicyRoutes({ store: { status: policyStatus, reload: reloadPolicies }, adminKey: env.SWITCHYARD_ADMIN_KEY }));

  app.use("/v1/*", plainBodiesOnly());
  app.use("/v1/*", bodySizeLimit({ maxBytes: env.SWITCHYARD_BODY_LIMIT_BYTES, tooLarge: bodyTooLarge }));
  // Usage has its own auth: tenants see their own usage, the admin key sees everyone's.
  app.route("/", usageRoutes({ store: usage.store, auth: { keys, adminKeyDigest: env.SWITCHYARD_ADMIN_KEY ? keyDigest(env.SWITCHYARD_ADMIN_KEY) : undefined } }));
  app.use("/v1/*", apiKeyAuth({ keys }));
  app.route("/", modelsRoutes({ registry: config.registry, startedAt: Date.now() }));
  const requestSignals = new RequestSignals();
  app.route("/", chatCompletionsRoutes({ pipeline, debugBodies: env.SWITCHYARD_DEBUG_BODIES, streamFlushMs: env.SWITCHYARD_STREAM_FLUSH_MS, signals: requestSignals }));
  app.route("/", routeDryRunRoutes({ explain: pipeline.explain }));
  app.route("/", piiRoutes({ engine: piiEngine }));
  app.route("/", sessionRoutes({ store: context, storage: sanitizer.contextStorage }));

  return {
    app,
    config,
    policies,
    start: async () => {
      await Promise.all([providers.start(), context.ready(2_000)]);
    },
    reloadPolicies: () => reloadPolicies("signal"),
    stopRequests: () => requestSignals.stopAll(shuttingDown()),
    unfinished: () => ({ requestsRunning: requestSignals.size, requestsUnrecorded: pipeline.pending(), usageRecordsLost: usage.recorder.stats().buffered }),
    close: async (closeOptions = {}) => {
      for (const w of watches) w.close();
      reloadWorkers.abort(new Error("the gateway is shutting down"));
      const { pending } = await pipeline.drain();
      // Named as the second interrupt's line names them (`unfinished`).
      if (pending > 0) log.warn({ requestsUnrecorded: pending }, "shutting down with requests whose turn or usage was not yet recorded");
      await policies.close();
      await usage.close(closeOptions);
      await release();
    },
  };
}

function componentStatus(
  providers: readonly { id: string; status(): ProviderStatus }[],
  context: { state: string; detail: string; backend: string },
  policy: PolicyStatus,
): Record<string, ProviderStatus> {
  const out: Record<string, ProviderStatus> = {};
  for (const provider of providers) out[`provider:${provider.id}`] = provider.status();
  // A degraded store does not make the gateway unready: requests go on without stored context.
  out.context = { state: context.state === "ready" ? "ready" : "unavailable", detail: `${context.backend}: ${context.detail}` };
  out.policy = policyReadiness(policy);
  return out;
}
