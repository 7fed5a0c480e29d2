/**
 * SECRET on a command line: a password handed to a client as a flag's value, the way people paste
 * commands into a prompt (`mysql -psecret`, `docker login --password …`, `sshpass -p …`,
 * `redis-cli -a …`, `curl -u user:pass`). A flag without a value prompts for the password or reads it
 * elsewhere (`mysql -p`, `--password-stdin`, `-p"$MYSQL_PWD"`) and is no secret.
 */
import { forEachMatch, ownRegex } from "./matches.js";
import type { Finding } from "./pattern.js";
import { group, patternRecognizer } from "./pattern.js";
import type { Recognizer } from "./recognizer.js";
import { secretValueLength } from "./secret-value.js";

// A flag's value: single-quoted, double-quoted or bare (groups 1, 2, 3 of each pattern below). A bare
// value never starts with "-", which would be the next flag.
const VALUE = `(?:'([^'\\n]{1,200})'|"([^"\\n]{1,200})"|([^\\s'"-][^\\s'"]{0,199}))`;
// The rest of one command: not past the line's end, a pipe or the next command.
const SAME_COMMAND = "[^\\n|;&]{0,200}?";

// The clients whose password flags are read; one pass finds them all, then each one's own arguments
// are read from where its name ends.
const COMMAND = /\b(?:mysql(?:dump|admin|import|show|check)?|mariadb(?:-dump|-admin)?|sshpass|redis-cli|curl)\b/g;

/** Each client's password argument, read (sticky) from the end of its name; the value in groups 1–3. */
const ARGUMENTS: Record<string, string> = {
  // The MySQL family takes the password glued to -p (`-psecret`); `-p value` prompts, then names a database.
  mysql: `${SAME_COMMAND}[ \\t]-p${VALUE}`,
  // Only sshpass's own -p, right after it: a later -p belongs to the ssh it runs (`ssh -p 2222`).
  sshpass: `[ \\t]+(?:-v[ \\t]+)?-p[ \\t]*${VALUE}`,
  "redis-cli": `${SAME_COMMAND}[ \\t](?:-a|--pass)[ \\t]+${VALUE}`,
  // user:password (`-u admin:secret`, `--user 'admin:secret'`): the password after the first colon.
  curl: `${SAME_COMMAND}[ \\t](?:-u|--user)[ \\t]*(?:'[^\\s:']*:([^'\\n]{1,200})'|"[^\\s:"]*:([^"\\n]{1,200})"|[^\\s:'"-][^\\s:'"]*:([^\\s'"]{1,200}))`,
};

// `--password hunter2`, `--db-password '…'`; `--password=…` is a key=value pair the pair recognizer reads.
const LONG_FLAG = new RegExp(`(?<![\\w-])--(?:[A-Za-z0-9]+-)*(?:password|passwd|pass)[ \\t]+${VALUE}`, "dg");

// Words that follow a flag's name in prose about it: "use the --password flag", "set --password to …".
const PROSE_AFTER_FLAG = new Set(["flag", "option", "options", "argument", "parameter", "switch", "instead", "value", "with", "when", "from", "only"]);

/** The password in value groups 1–3 of `m`, or null when it is none (a placeholder, prose about the flag). */
function flagPassword(m: RegExpExecArray): Finding | null {
  const index = [1, 2, 3].find((i) => m[i] !== undefined);
  if (index === undefined || (index === 3 && PROSE_AFTER_FLAG.has(m[3]!.toLowerCase()))) return null;
  const length = secretValueLength("password", m[index]!, "assignment");
  const span = group(m, index, 0.85);
  return length > 0 && span ? { ...span, end: span.start + length } : null;
}

/** SECRET: passwords given as command-line flags. */
export function commandLineSecretRecognizers(): Recognizer[] {
  const command = ownRegex(COMMAND);
  const argumentsOf = new Map(Object.entries(ARGUMENTS).map(([name, pattern]) => [name, new RegExp(pattern, "dy")]));
  return [
    {
      name: "secret_cli_client",
      scan(text, out, deadline) {
        forEachMatch(command, text, deadline, (m) => {
          const args = argumentsOf.get(/^(?:mysql|mariadb)/.test(m[0]) ? "mysql" : m[0])!;
          args.lastIndex = m.index + m[0].length;
          const match = args.exec(text);
          const found = match && flagPassword(match);
          if (found) out.push({ type: "SECRET", ...found });
        });
      },
    },
    patternRecognizer({ name: "secret_cli_flag", type: "SECRET", regex: LONG_FLAG, prefilter: (text) => text.includes("--"), evaluate: flagPassword }),
  ];
}
