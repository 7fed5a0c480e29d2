import { ClassifierModelError } from "../../classifiers/errors.js";
import { createGateway } from "../app.js";
import { ConfigError, loadGatewayConfig } from "../config/load.js";
import { createLogger } from "../logging.js";
import { startServer } from "../server.js";
import { classifierProblem } from "./classifier-problem.js";
import { UsageError, asksForHelp, type CliCommand } from "./command.js";

const USAGE = `usage: npm run cli -- serve

Runs the gateway. It takes no options: it is configured by environment variables
(PORT, HOST, SWITCHYARD_POLICY_DIR, SWITCHYARD_LOCAL_MODEL, OPENAI_API_KEY, REDIS_URL, …; see README).
`;

export const serveCommand: CliCommand = {
  summary: "run the gateway (PORT, HOST, SWITCHYARD_POLICY_DIR, …; see README)",
  async run(argv, io) {
    if (asksForHelp(argv)) {
      io.stdout.write(USAGE);
      return 0;
    }
    // An ignored `--port 9000` would leave the operator believing the gateway listens there.
    if (argv[0] !== undefined) throw new UsageError(`${argv[0].startsWith("-") ? "unknown option" : "unexpected argument"} '${argv[0]}' (serve is configured by environment variables; see --help)`);
    // Node's default for SIGHUP ends the process: one sent while the gateway starts (a deploy script's
    // reload right after the start, seconds of loading) must not kill it. The files may have changed
    // after they were read, so that reload happens once the gateway runs.
    let reloadPolicies: (() => void) | undefined;
    let reloadMissed = false;
    const onSighup = () => {
      if (reloadPolicies) reloadPolicies();
      else reloadMissed = true;
    };
    process.on("SIGHUP", onSighup);
    // Removed unless the gateway runs (-1), however start-up ends (an unexpected error too).
    let code: number | undefined;
    try {
      return (code = await startGateway());
    } finally {
      if (code !== -1) process.off("SIGHUP", onSighup);
    }

    async function startGateway(): Promise<number> {
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
        if (error instanceof ClassifierModelError) {
          io.stderr.write(`switchyard: ${classifierProblem(error, config.env.SWITCHYARD_CLASSIFIER_DIR !== undefined ? "SWITCHYARD_CLASSIFIER_DIR" : undefined)}\n`);
          return 1;
        }
        if (!(error instanceof ConfigError)) throw error;
        io.stderr.write(`switchyard: invalid configuration:\n${error.message}\n`);
        return 1;
      }
      let server;
      try {
        server = await startServer(gateway, {
          port: config.env.PORT,
          host: config.env.HOST,
          log,
          shutdownTimeoutMs: config.env.SWITCHYARD_SHUTDOWN_TIMEOUT_MS,
        });
      } catch (error) {
        const reason = listenFailure(error);
        if (reason) io.stderr.write(`switchyard: cannot listen on ${config.env.HOST}:${config.env.PORT}: ${reason} (set PORT or HOST)\n`);
        // Its connections (Redis) would keep the process from exiting, whatever the error.
        await gateway.close();
        if (!reason) throw error;
        return 1;
      }
      void gateway.start();
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) {
          // Supervisors repeat SIGTERM while they wait; only an operator's second Ctrl-C skips the drain.
          if (signal === "SIGINT") {
            // What the skipped drain would have finished is lost: said with numbers, as a shutdown past its deadline says it.
            log.warn({ signal, ...gateway.unfinished() }, "second interrupt: exiting without waiting for in-flight requests");
            log.flush(() => process.exit(130));
          } else log.info({ signal }, "already shutting down: in-flight requests keep their deadline");
          return;
        }
        stopping = true;
        log.info({ signal }, "shutting down");
        server.close().then(
          () => log.flush(() => process.exit(0)),
          (error: unknown) => {
            log.error({ err: error }, "shutdown failed");
            log.flush(() => process.exit(1));
          },
        );
      };
      const serving = gateway;
      reloadPolicies = () => {
        log.info("SIGHUP: reloading policies");
        void serving.reloadPolicies();
      };
      if (reloadMissed) reloadPolicies();
      process.on("SIGTERM", () => stop("SIGTERM"));
      process.on("SIGINT", () => stop("SIGINT"));
      return -1;
    }
  },
};

/** Why binding failed, in words, for the errors an operator can fix by choosing another address. */
function listenFailure(error: unknown): string | undefined {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case "EADDRINUSE":
      return "the address is already in use";
    case "EACCES":
      return "permission denied (ports below 1024 need privileges)";
    case "EADDRNOTAVAIL":
      return "no such address on this host";
    // An IPv6 link-local address without its interface (fe80::1, not fe80::1%eth0).
    case "EINVAL":
      return "the address cannot be listened on (a link-local IPv6 address needs its interface: fe80::1%eth0)";
    // An IPv6 address on a host (a container) without IPv6.
    case "EAFNOSUPPORT":
      return "the host does not support this address family (IPv6 disabled?)";
    // A well-formed HOST name the resolver does not know (or cannot reach a DNS server for).
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_FAIL":
      return "the host name does not resolve to an address";
    default:
      return undefined;
  }
}
