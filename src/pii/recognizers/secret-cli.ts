/**
 * SECRET on a command line: a password handed to a client as a flag's value, the way people paste
 * commands into a prompt (`mysql -psecret`, `docker login --password …`, `sshpass -p …`,
 * `redis-cli -a …`, `curl -u user:pass`, `sqlcmd -P …`, `keytool -storepass …`, `openssl … -passout pass:…`). A flag without a value prompts for the password or reads it
 * elsewhere (`mysql -p`, `--password-stdin`, `-p"$MYSQL_PWD"`) and is no secret.
 */
import { forEachMatch, ownRegex } from "./matches.js";
import type { Finding } from "./pattern.js";
import { group, patternRecognizer } from "./pattern.js";
import type { Recognizer } from "./recognizer.js";
import { lineBefore } from "./lines.js";
import { secretValueLength } from "./secret-value.js";

// A flag's value: single-quoted, double-quoted or bare (groups 1, 2, 3 of each pattern below). A bare
// value never starts with "-", which would be the next flag.
const VALUE = `(?:'([^'\\n]{1,200})'|"([^"\\n]{1,200})"|([^\\s'"-][^\\s'"]{0,199}))`;
// The rest of one command: not past the line's end, a pipe or the next command.
const SAME_COMMAND = "[^\\n|;&]{0,200}?";
// How far back on its line a flag's command is looked for.
const LINE_REACH = 200;

// The clients whose password flags are read; one pass finds them all, then each one's own arguments
// are read from where its name ends. The name stands where a command does, followed by a space: not a
// directory (`/var/lib/mysql`), a file (`./mysql`), an image (`mysql:8`) or a name (`--name mysql`).
// A path to the client itself (`/usr/bin/mysql -p…`) is read when the path is the command.
// (Those checks are code in atCommandPosition: as look-behinds before the names they slowed every scan.)
const COMMAND =
  /\b(?:mysql(?:dump|admin|import|show|check)?|mariadb(?:-dump|-admin)?|mongo(?:sh|dump|restore)?|sshpass|redis-cli|curl|docker|podman|oc|az|sqlcmd|sqlplus|influx|smbclient|lftp|htpasswd|ldap(?:search|add|modify|delete|passwd|whoami|compare|modrdn)|zip|unzip|7za?)(?:\.exe)?(?=[ \t])/g;
// Clients that read their password the same way as another: the other's name in ARGUMENTS.
const SAME_ARGUMENTS_AS: Record<string, string> = { podman: "docker", oc: "docker", az: "docker", unzip: "zip", "7za": "7z" };

/** The ARGUMENTS entry of a client's name as COMMAND found it. */
function argumentsKey(name: string): string {
  const client = name.replace(/\.exe$/, "");
  if (/^(?:mysql|mariadb)/.test(client)) return "mysql";
  if (client.startsWith("mongo")) return "mongo";
  if (client.startsWith("ldap")) return "ldap";
  return SAME_ARGUMENTS_AS[client] ?? client;
}
// What comes before a command on its line: a prompt, a pipe or `;`/`&&`, `sudo`, `exec` or `time`.
const COMMAND_POSITION = /(?:^|[|;&(`]|\$\(|^[ \t]*[$#>]|\b(?:sudo|exec|time|xargs)(?:[ \t]+-\S+)*)[ \t]*$/;

// A run of single-letter options (`-B -b`, `-nb`), and the same run up to one that holds `letter`.
const OPTIONS = "(?:[ \\t]+-[a-zA-Z]+)+";
const OPTIONS_UP_TO = (letter: string) => `(?:[ \\t]+-[a-zA-Z]+)*?[ \\t]+-[a-zA-Z]*${letter}`;

/** `user<separator>password`, quoted as a whole or bare: the password in groups 1–3. */
function userAnd(separator: string): string {
  const s = separator;
  return `(?:'[^\\s${s}']*${s}([^'\\n]{1,200})'|"[^\\s${s}"]*${s}([^"\\n]{1,200})"|[^\\s${s}'"-][^\\s${s}'"]*${s}([^\\s'"]{1,200}))`;
}

/** Each client's password argument, read (sticky) from the end of its name; the value in groups 1–3. */
const ARGUMENTS: Record<string, string> = {
  // The MySQL family takes the password glued to -p (`-psecret`); `-p value` prompts, then names a database.
  // A -p of digits and colons is a port mapping (`docker run -p3306:3306 … mysql`).
  mysql: `${SAME_COMMAND}[ \\t]-p(?![\\d:]*:[\\d:]*(?![^\\s'"]))${VALUE}`,
  // Only sshpass's own -p, right after it: a later -p belongs to the ssh it runs (`ssh -p 2222`).
  sshpass: `[ \\t]+(?:-v[ \\t]+)?-p[ \\t]*${VALUE}`,
  "redis-cli": `${SAME_COMMAND}[ \\t](?:-a|--pass)[ \\t]+${VALUE}`,
  // `docker login -p …` (a later `-p` of another docker command is a port: only after `login`); Podman,
  // OpenShift's `oc login -u dev -p …` and Azure's `az login -u … -p …` alike.
  docker: `[ \\t]+login${SAME_COMMAND}[ \\t]-p[ \\t]*${VALUE}`,
  // SQL Server's client takes the password after a capital -P (`-p` prints statistics).
  sqlcmd: `${SAME_COMMAND}[ \\t]-P[ \\t]*${VALUE}`,
  // MongoDB's shells and tools: `-p …` with a space (`--password …` is a long flag, read below).
  mongo: `${SAME_COMMAND}[ \\t]-p[ \\t]+${VALUE}`,
  // InfluxDB 1.x: `-password …`, one dash.
  influx: `${SAME_COMMAND}[ \\t]-password[ \\t]+${VALUE}`,
  // `smbclient -U user%password`, `lftp -u user,password`: the password after the separator.
  smbclient: `${SAME_COMMAND}[ \\t](?:-U|--user)[ \\t]*${userAnd("%")}`,
  lftp: `${SAME_COMMAND}[ \\t]-u[ \\t]*${userAnd(",")}`,
  // `htpasswd -b[c…] file user password`: -b takes the password from the command line; with -n the
  // entry is printed, not written to a file (`htpasswd -nb user password`). Options may come apart (`-B -b`).
  htpasswd: `(?=${OPTIONS_UP_TO("b")})(?:(?=${OPTIONS_UP_TO("n")})${OPTIONS}|${OPTIONS}[ \\t]+[^\\s|;&]+)[ \\t]+[^\\s|;&]+[ \\t]+${VALUE}`,
  // user:password (`-u admin:secret`, `--user 'admin:secret'`, the proxy's `-U`/`--proxy-user`): the
  // password after the first colon.
  curl: `${SAME_COMMAND}[ \\t](?:-u|--user|-U|--proxy-user)[ \\t]*${userAnd(":")}`,
  // OpenLDAP's tools: `-w password` (`-W` prompts).
  ldap: `${SAME_COMMAND}[ \\t]-w[ \\t]*${VALUE}`,
  // Oracle's `sqlplus user/password@db` (`sqlplus / as sysdba` has no password).
  sqlplus: `[ \\t]+(?:-\\w+[ \\t]+)*[\\w$#]+/(?:'([^'\\n]{1,200})'|"([^"\\n]{1,200})"|([^\\s'"/@-][^\\s'"@]{0,199}))`,
  // `zip -P password`, `unzip -P password`; 7-Zip's glued `-ppassword` (`-p` alone prompts).
  zip: `${SAME_COMMAND}[ \\t]-P[ \\t]+${VALUE}`,
  "7z": `${SAME_COMMAND}[ \\t]-p${VALUE}`,
};

// `--password hunter2`, `--db-password '…'`, `--passphrase …`; `--password=…` is a key=value pair the
// pair recognizer reads.
const LONG_FLAG = new RegExp(`(?<![\\w-])(--(?:[A-Za-z0-9]+-)*(?:password|passwd|passphrase|pass))[ \\t]+${VALUE}`, "dg");
// Java's keytool and jarsigner: `-storepass …`, `-keypass …`, `-srcstorepass …`, `-deststorepass …`
// (`-storepass:env NAME` and `-storepass:file path` say where it is).
const JAVA_PASS_HINT = /storepass|keypass/;
const JAVA_FLAG = new RegExp(`(?<![\\w-])-(?:src|dest|new)?(?:storepass|keypass)[ \\t]+${VALUE}`, "dg");
// OpenSSL's `-passin pass:…`, `-passout pass:…`, `-pass pass:…` (`env:`, `file:`, `stdin` say where it is).
const OPENSSL_PASS = /(?<![\w-])-pass(?:in|out)?[ \t]+(?:'pass:([^'\n]{1,200})'|"pass:([^"\n]{1,200})"|pass:([^\s'"]{1,200}))/dg;
// Flags that take no value: they turn the password off or ask for it (`--no-password`,
// `--skip-password`, `--ask-vault-pass`, `--vault-ask-pass`).
const NO_VALUE_FLAG = /^--(?:no|skip|ask)-|-ask-/;
// The PostgreSQL clients' `--password` takes no value: it forces the prompt, and what follows is the
// database or a file (`pg_dump -U app --password shop`).
const PROMPTING_CLIENT = /(?<![\w.-])(?:psql|pg_dump|pg_dumpall|pg_restore|createdb|dropdb)(?:\.exe)?[ \t]/;

// Words that follow a flag's name in prose about it: "use the --password flag", "set --password to …".
const PROSE_AFTER_FLAG = new Set(["flag", "option", "options", "argument", "parameter", "switch", "instead", "value", "with", "when", "from", "only"]);
// Verbs and function words that follow a flag in a sentence: "the --password must be provided",
// "--password takes precedence", "--password followed by the value", "what does redis-cli -a mean?",
// "mongosh -p without a value prompts", "sshpass -p using an environment variable" (the -ing words
// that start a phrase; others, "testing", "amazing", are common passwords after a short flag).
const PROSE_VERBS = new Set(
  "must takes take is are was were be can will should may might needs need requires require followed has have does do did would could also which that and or but not never always only just then because since without with for show shows mean means read reads prompt prompts ask asks work works print prints leave leaves expose exposes using being having getting passing providing specifying setting following prompting expecting requiring".split(
    " ",
  ),
);
// Punctuation a sentence puts after its words ("… -a mean?"); a password may end in it, a word is no password.
const TRAILING_PUNCTUATION = /[?!.,;:]+$/;
// A word and a colon leads into what follows ("htpasswd -b only in scripts: …").
const LEAD_IN = /^[a-z]+:$/;
// Help text and documentation stand in for the password: a metavariable (`--password PASSWORD`,
// `DB_PASS`), a bracketed one (`-p[password]`, `-p<password>`, `{password}`) or the flag's own word
// (`-u username:password`, `-ppassword`). `secret` stays a password: it is a common default
// (`mysql -u homestead -psecret`). The bracket closing a usage line's option is left out (`[--password PASSWORD]`).
const PLACEHOLDER_VALUE = /^(?:[A-Z_]+[)\]}]*$|[[<{])/;
const FLAG_WORD = /^(?:password|passwd|pass|pwd)$/i;

/**
 * A bare value a space after its flag that is a sentence's next word, not a password: "docker login -p
 * show a warning", "what does redis-cli -a mean?". Words ending in -ed/-ing only after a long flag
 * ("--password followed by …"): after a client's short flag they are as often the password itself
 * (`sshpass -p amazing`, `redis-cli -a testing`), and glued to it (`-ptesting`, `user:testing`) always are.
 */
function isProse(bare: string, longFlag: boolean): boolean {
  const word = bare.replace(TRAILING_PUNCTUATION, "");
  if (LEAD_IN.test(bare)) return true;
  return /^[a-z]+$/.test(word) && (PROSE_VERBS.has(word) || (longFlag && /(?:ed|ing)$/.test(word)));
}

/**
 * The password in value groups 1–3 of `m` (from `valueAt`), or null when it is none (a placeholder,
 * prose about the flag); `longFlag` for `--password …` and the like.
 */
function flagPassword(m: RegExpExecArray, text: string, valueAt = 1, longFlag = false): Finding | null {
  const index = [valueAt, valueAt + 1, valueAt + 2].find((i) => m[i] !== undefined);
  const span = index === undefined ? null : group(m, index, 0.85);
  if (index === undefined || span === null) return null;
  const value = m[index]!;
  if (index === valueAt + 2) {
    if (PROSE_AFTER_FLAG.has(value.toLowerCase())) return null;
    if (/[ \t]/.test(text[span.start - 1] ?? "") && isProse(value, longFlag)) return null;
  }
  if (PLACEHOLDER_VALUE.test(value) || FLAG_WORD.test(value)) return null;
  const length = secretValueLength("password", value, "assignment");
  return length > 0 ? { ...span, end: span.start + length } : null;
}

/** A password after `--password` and the like, unless the flag takes none or the words are prose. */
function longFlagPassword(m: RegExpExecArray, text: string): Finding | null {
  const flag = m[1]!;
  if (NO_VALUE_FLAG.test(flag)) return null;
  if (flag === "--password" && PROMPTING_CLIENT.test(lineBefore(text, m.index, LINE_REACH))) return null;
  return flagPassword(m, text, 2, true);
}

/** Whether a client's name found by COMMAND stands where a command does. */
function atCommandPosition(text: string, m: RegExpExecArray): boolean {
  const previous = text[m.index - 1] ?? "";
  if (previous === "." || previous === ":" || previous === "-" || /-name[ \t]+$/.test(text.slice(Math.max(0, m.index - 16), m.index))) return false;
  if (previous !== "/") return true;
  const before = lineBefore(text, m.index, LINE_REACH);
  const path = /[^\s]*$/.exec(before)!;
  return COMMAND_POSITION.test(before.slice(0, path.index));
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
          if (!atCommandPosition(text, m)) return;
          const args = argumentsOf.get(argumentsKey(m[0]))!;
          args.lastIndex = m.index + m[0].length;
          const match = args.exec(text);
          const found = match && flagPassword(match, text);
          if (found) out.push({ type: "SECRET", ...found });
        });
      },
    },
    patternRecognizer({ name: "secret_cli_flag", type: "SECRET", regex: LONG_FLAG, prefilter: (text) => text.includes("--"), evaluate: longFlagPassword }),
    patternRecognizer({ name: "secret_cli_java_flag", type: "SECRET", regex: JAVA_FLAG, prefilter: (text) => JAVA_PASS_HINT.test(text), evaluate: (m, text) => flagPassword(m, text) }),
    patternRecognizer({ name: "secret_cli_openssl_pass", type: "SECRET", regex: OPENSSL_PASS, prefilter: (text) => text.includes("pass:"), evaluate: (m, text) => flagPassword(m, text) }),
  ];
}
