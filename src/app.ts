/**
 * The composition root: the only module that knows every other one. It builds the gateway from its
 * configuration; everything below receives what it needs as arguments.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Logger } from "pino";
import { bodyTooLarge, handleError, handleNotFound } from "../routes/errors.js";
import { chatCompletionsRoutes } from "../routes/chat-completions.js";
import { healthRoutes } from "../routes/health.js";
import { modelsRoutes } from "../routes/models.js";
import { parseApiKeys } from "./auth/api-keys.js";
import type { GatewayConfig } from "./config/load.js";
import type { AppEnv } from "./http/app-env.js";
import { apiKeyAuth } from "./http/middleware/auth.js";
import { requestContext } from "./http/middleware/request-id.js";
import { createChatPipeline } from "./pipeline/chat-pipeline.js";
import { createProviderSet, type ProviderSetOptions } from "./providers/provider-set.js";
import type { ProviderStatus } from "./providers/types.js";

export interface Gateway {
  app: Hono<AppEnv>;
  config: GatewayConfig;
  /** Starts background work (loading local models); resolves when it is done. */
  start(): Promise<void>;
  /** Releases models and connections. */
  close(): Promise<void>;
}

export interface GatewayOptions extends ProviderSetOptions {
  log: Logger;
}

export function createGateway(config: GatewayConfig, options: GatewayOptions): Gateway {
  const { log } = options;
  const keys = parseApiKeys(config.env.SWITCHYARD_API_KEYS);
  if (keys.size === 0) {
    log.warn("SWITCHYARD_API_KEYS is not set: the gateway accepts requests without an API key (development mode)");
  }
  const providers = createProviderSet(config, log, options);
  const pipeline = createChatPipeline({ registry: config.registry, providers });

  const app = new Hono<AppEnv>();
  app.onError(handleError);
  app.notFound(handleNotFound);
  app.use("*", requestContext({ log }));

  app.route("/", healthRoutes({ readiness: { components: async () => componentStatus(providers.all) } }));

  const limit = config.env.SWITCHYARD_BODY_LIMIT_BYTES;
  app.use(
    "/v1/*",
    bodyLimit({
      maxSize: limit,
      onError: () => {
        throw bodyTooLarge(limit);
      },
    }),
  );
  app.use("/v1/*", apiKeyAuth({ keys }));
  app.route("/", modelsRoutes({ registry: config.registry, startedAt: Date.now() }));
  app.route("/", chatCompletionsRoutes({ pipeline, debugBodies: config.env.SWITCHYARD_DEBUG_BODIES }));

  return {
    app,
    config,
    start: () => providers.start(),
    close: () => providers.close(),
  };
}

function componentStatus(providers: readonly { id: string; status(): ProviderStatus }[]): Record<string, ProviderStatus> {
  const out: Record<string, ProviderStatus> = {};
  for (const provider of providers) out[`provider:${provider.id}`] = provider.status();
  return out;
}
