import { createGateway } from "../app.js";
import { ConfigError, loadGatewayConfig } from "../config/load.js";
import { createLogger } from "../logging.js";
import { startServer } from "../server.js";
import type { CliCommand } from "./command.js";

export const serveCommand: CliCommand = {
  summary: "run the gateway (PORT, HOST, SWITCHYARD_POLICY_DIR, …; see README)",
  async run(_argv, io) {
    let config;
    try {
      config = await loadGatewayConfig(io.env, io.cwd);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      io.stderr.write(`switchyard: invalid configuration:\n${error.message}\n`);
      return 1;
    }
    const log = createLogger(config.env.LOG_LEVEL);
    let gateway;
    try {
      gateway = await createGateway(config, { log });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      io.stderr.write(`switchyard: invalid configuration:\n${error.message}\n`);
      return 1;
    }
    const server = await startServer(gateway, {
      port: config.env.PORT,
      host: config.env.HOST,
      log,
      shutdownTimeoutMs: config.env.SWITCHYARD_SHUTDOWN_TIMEOUT_MS,
    });
    void gateway.start();
    const stop = (signal: string) => {
      log.info({ signal }, "shutting down");
      server.close().then(
        () => log.flush(() => process.exit(0)),
        (error: unknown) => {
          log.error({ err: error }, "shutdown failed");
          log.flush(() => process.exit(1));
        },
      );
    };
    process.on("SIGHUP", () => {
      log.info("SIGHUP: reloading policies");
      void gateway.reloadPolicies();
    });
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
    return -1;
  },
};
