/**
 * `npm run cli -- pii scan [--policy <file>]`: reads a text on stdin and writes
 * `{"entities":[{"type","start","end","score"}]}` on stdout, as `POST /v1/pii/scan` answers.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { UsageError, asksForHelp, type CliCommand, type CliIO } from "../cli/command.js";
import { SHIPPED_POLICY_DIR } from "../config/env.js";
import { ConfigError } from "../config/yaml-file.js";
import { createPiiEngine } from "./engine.js";
import { loadPiiPolicy, piiPolicyPath } from "./policy/load.js";
import type { PiiPolicy } from "./policy/schema.js";

const USAGE = "usage: pii scan [--policy <pii.yaml>]  (text on stdin, JSON entities on stdout)";

/** parseArgs throws a bare TypeError for an unknown option or a stray argument: that is a usage error. */
function parse(args: string[]) {
  try {
    return parseArgs({ args, options: { policy: { type: "string" } }, allowPositionals: false, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
}

async function readAll(io: CliIO): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

export const piiCommand: CliCommand = {
  summary: "PII engine: `pii scan` finds personal data and secrets in text read from stdin",
  async run(argv, io) {
    if (asksForHelp(argv)) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const [sub, ...rest] = argv;
    if (sub !== "scan") throw new UsageError(`${sub ? `unknown subcommand '${sub}'\n` : ""}${USAGE}`);
    const { values } = parse(rest);
    const policyFile = values.policy
      ? resolve(io.cwd, values.policy)
      : piiPolicyPath(resolve(io.cwd, io.env.SWITCHYARD_POLICY_DIR ?? SHIPPED_POLICY_DIR));
    let policy: PiiPolicy;
    try {
      policy = await loadPiiPolicy(policyFile);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      io.stderr.write(`${error.message}\n`);
      return 1;
    }
    const text = await readAll(io);
    const entities = createPiiEngine(policy).scan(text);
    io.stdout.write(`${JSON.stringify({ entities })}\n`);
    return 0;
  },
};
