import type { Finding } from "./pattern.js";
import { group, patternRecognizer, whole } from "./pattern.js";
import type { Recognizer } from "./recognizer.js";
import { CHECK_EVERY } from "./recognizer.js";
import { lineBefore } from "./lines.js";
import { commandLineSecretRecognizers } from "./secret-cli.js";
import { keyNameSecretRecognizers } from "./secret-keys.js";
import { type PairForm, secretValueLength } from "./secret-value.js";

// Token shapes published by their issuers; all are long enough that a chance match in prose is rare.
const TOKEN_SHAPES = [
  "sk-(?:proj-|svcacct-|admin-|ant-(?:api|admin)\\d\\d-)?[A-Za-z0-9_-]{20,}", // OpenAI, Anthropic
  "(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}", // AWS access key id
  "gh[pousr]_[A-Za-z0-9]{36,251}", // GitHub classic tokens
  "github_pat_[A-Za-z0-9_]{22,255}", // GitHub fine-grained tokens
  "xox[abposr]-[A-Za-z0-9-]{10,}", // Slack
  "[sr]k_(?:live|test)_[A-Za-z0-9]{16,}", // Stripe
  "AIza[0-9A-Za-z_-]{35}", // Google API key
  "glpat-[A-Za-z0-9_-]{20,}", // GitLab
]
  .map((p) => `(?:${p})`)
  .join("|");
const TOKEN = new RegExp(`(?<![\\w-])(?:${TOKEN_SHAPES})(?![\\w-])`, "g");

const JWT = /(?<![\w-])eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}(?![\w-])/g;

// `password=…`, `"api_key": "…"`, `DB_PASSWORD: …`, `my password is …`: the value is the secret.
// Groups: 1 the key's name, 2 how the value is introduced, 3 its quote, 4 the value. Compound names
// may be written as two words ("my API key is …", "secret key: …"). A bare `pass` is a key only after
// the name of a service or account that has a password (`DB_PASS`, `smtp.pass`, `user_pass`), not in
// "tests pass: 3", "boarding pass" or a count of passed checks (`n_pass: 1532`, `lint.pass: green`).
const PASS_OWNER =
  "db|database|smtp|mail|email|imap|pop3?|redis|mysql|mariadb|pg|postgres|ftp|sftp|ssh|ldap|admin|root|user|proxy|vnc|sql|mongo(?:db)?|rabbit(?:mq)?|amqp|mq|wifi|router|keystore|truststore|key|store|cert|http|auth|login";
// After the key's name: how the value is introduced, its quote, the value. A key's suffix is bounded
// (KEY_SUFFIX): unbounded, a run of `password_password_…` made every start rescan to the text's end,
// seconds for 200 KB.
const KEY_SUFFIX = "[A-Za-z0-9_.-]{0,64}";
// JSON inside a JSON string escapes its quotes (`{\"password\":\"…\"}`, a log line or request body pasted in):
// a quote may follow up to three backslashes, and the value ends at the same escaped quote.
const PAIR_VALUE = String.raw`(?:\\{0,3}["'])?[ \t]*(=>|[:=]|[ \t]is:?[ \t])[ \t]*(\\{0,3}["']|)([^\s"'\`,;]{4,200})\3`;
const PAIR = new RegExp(
  String.raw`((?:password|passwd|passphrase|pwd|secret[ _-]?key|secret|token|api[ _-]?key|access[ _-]?key|private[ _-]?key|credentials?)(?:[_.-]${KEY_SUFFIX})?)${PAIR_VALUE}`,
  "dgi",
);
// The same pairs under a `pass` key, a regex of their own: in PAIR its look-behind made every scan of
// every text three times slower, and few texts hold a `_pass` or `.pass` at all (PASS_KEY_HINT). A
// stage or encoding may follow (`DB_PASS_PROD`, `SMTP_PASS_B64`), but not a word that makes the key a
// measure or a setting of its own (`user_pass_rate`, `login.pass.ratio`, `http.pass.header`).
const PASS_KEY_NOT_A_PASSWORD =
  "rate|ratio|pct|percent|percentage|count|total|num|avg|mean|median|stddev|std|p\\d+|header|expiry|expires|age|policy|length|len|min|max|fail|failed|through|thru|score|time|timeout|duration|status|result|threshold|limit";
const PASS_PAIR = new RegExp(
  String.raw`(?<=(?<![A-Za-z0-9])(?:${PASS_OWNER})[_.])(pass(?:[_.-](?!(?:${PASS_KEY_NOT_A_PASSWORD})(?![A-Za-z]))${KEY_SUFFIX})?)${PAIR_VALUE}`,
  "dgi",
);
const PASS_KEY_HINT = /[_.]pass(?![a-z])/i;
const BEARER = /\b(?:Bearer|Basic|Token)[ \t]+([A-Za-z0-9._~+/-]{16,}=*)/dg;
// scheme://user:password@host, the user maybe empty (`redis://:password@cache`); the regex starts at the
// literal "://" so it costs little on prose.
const URL_CREDENTIALS = /:\/\/[^\s:/@]*:([^\s@/]{3,})@/dg;

const PEM_BEGIN = /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----/g;
const PEM_END = /-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/y;
const BASE64_LINE = /^[A-Za-z0-9+/=]+$/;

function looksRandom(value: string): boolean {
  return /\d/.test(value) && /[A-Za-z]/.test(value);
}

/**
 * Glued prefixes name the key's owner (`authtoken`, `dbpassword`, `apitoken`): still a key. A CSRF/XSRF
 * token is not a credential, and a public key token (.NET's PublicKeyToken, `public_key_token`) is public.
 */
function namesASecret(text: string, nameStart: number, name: string): boolean {
  const identifier = text.slice(identifierStart(text, nameStart), nameStart) + name;
  return !/public|[cx]srf/i.test(identifier);
}

const EXPRESSION_KEYWORD = /^(?:await|yield|new|typeof|lambda|function|async)$/;

/** How far back an identifier or a line's start is looked for: scans stay linear in the text. */
const LOOKBACK_CHARS = 200;

/** Where the identifier ending at `end` starts (walked back, never past `LOOKBACK_CHARS`). */
function identifierStart(text: string, end: number): number {
  let start = end;
  while (start > 0 && end - start < LOOKBACK_CHARS && /[A-Za-z0-9_-]/.test(text[start - 1]!)) start--;
  return start;
}

/**
 * `const password = input;`, `user.password = hash(pw);`: a declaration, or a statement written as code
 * (spaces around `=`, ended by `;`). `Password=welcome;Encrypt=True` and `export PASSWORD=hunter; ./run.sh`
 * end with `;` too but are settings. `password: SecretStr = Field()` is a type annotation.
 */
function isStatement(m: RegExpExecArray, text: string, nameStart: number): boolean {
  // The whole identifier: the key's name may end it (`const db_password = …`).
  if (/\b(?:const|let|var|val|final|auto|my)\s+(?:[\w.]+\.)?$/.test(lineBefore(text, identifierStart(text, nameStart), LOOKBACK_CHARS))) return true;
  const introducer = m[2] ?? "";
  const after = text.slice(m.index + m[0].length, m.index + m[0].length + 8);
  // `password = await fetchSecret()`, `token = new Token(…)`: the value is an expression's first word.
  if (EXPRESSION_KEYWORD.test(m[4] ?? "") && /^[ \t]+[\w$(]/.test(after)) return true;
  if (introducer === ":" && /^[ \t]*=/.test(after)) return true;
  const spaced = /[ \t]/.test(text[(m.indices?.[2]?.[0] ?? 0) - 1] ?? "");
  if (!spaced || (introducer !== "=" && introducer !== "=>")) return false;
  // `self.password = password`, `user.password = password`, `@password = password`: a variable handed on
  // under its own name to an object's field. A bare `password = password` is a setting (my.cnf), the
  // classic default password; a dotted properties key (`spring.datasource.password = password`) reads
  // like the code and is left as code: the word "password" is the one password nobody can leak.
  return /^\s*;/.test(after) || (isNamedLikeItsKey(m) && isMember(text, nameStart));
}

/** A `.`, `@` or `->` right before the identifier the key's name ends: an object's member. */
function isMember(text: string, nameStart: number): boolean {
  const start = identifierStart(text, nameStart);
  return /(?:[\w)\]]\.|@|->)$/.test(text.slice(Math.max(0, start - 3), start));
}

function isNamedLikeItsKey(m: RegExpExecArray): boolean {
  return (m[4] ?? "").toLowerCase() === (m[1] ?? "").toLowerCase();
}

/** A quoted value is a literal, the secret itself even inside code (`var password = "sunshine";`). */
function pairForm(m: RegExpExecArray, text: string, nameStart: number): PairForm {
  const [, introducer = "", quote = ""] = m.slice(1);
  if (/is/i.test(introducer)) return "prose";
  if (quote !== "") return "assignment";
  if (isStatement(m, text, nameStart)) return "code";
  return isField(m, text, nameStart) ? "field" : "assignment";
}

/**
 * A field of an object literal or a call's argument list: a `{` or a call's `(` earlier on the line, or
 * a `,` right after the value (`{ email, password: hashedPassword }`, `connect(host=db, password=pw)`).
 * An object's last field, alone on its line, is one when it hands on a variable named like its key
 * (`password: password` before the closing brace); any other value there is still read as set.
 */
function isField(m: RegExpExecArray, text: string, nameStart: number): boolean {
  const end = m.index + m[0].length;
  if (text[end] === ",") return true;
  if (isNamedLikeItsKey(m) && /^\s{0,40}[})]/.test(text.slice(end, end + 41))) return true;
  return /\{|[\w$]\(/.test(lineBefore(text, nameStart, LOOKBACK_CHARS));
}

function pairSecret(m: RegExpExecArray, text: string): Finding | null {
  const [name = "", introducer = "", , value = ""] = m.slice(1);
  const nameStart = m.indices?.[1]?.[0] ?? m.index;
  if (!namesASecret(text, nameStart, name)) return null;
  const length = secretValueLength(name, value, pairForm(m, text, nameStart));
  const span = group(m, 4, 0.85);
  return length > 0 && span ? { ...span, end: span.start + length } : null;
}

/**
 * SECRET: vendor token shapes, JWTs, bearer tokens, credentials in URLs, `key=value` pairs, generated
 * values under `…Key` names, SAS signatures and command lines.
 */
export function secretRecognizers(): Recognizer[] {
  return [
    patternRecognizer({
      name: "secret_token",
      type: "SECRET",
      regex: TOKEN,
      evaluate: (m) => (looksRandom(m[0]) ? whole(m, 0.95) : null),
    }),
    patternRecognizer({
      name: "secret_jwt",
      type: "SECRET",
      regex: JWT,
      prefilter: (text) => text.includes("eyJ"),
      evaluate(m) {
        const header = m[0].slice(0, m[0].indexOf("."));
        return whole(m, /"alg"/.test(Buffer.from(header, "base64url").toString("latin1")) ? 0.95 : 0.6);
      },
    }),
    patternRecognizer({
      name: "secret_pair",
      type: "SECRET",
      regex: PAIR,
      evaluate: (m, text) => pairSecret(m, text),
    }),
    patternRecognizer({
      name: "secret_pass_pair",
      type: "SECRET",
      regex: PASS_PAIR,
      prefilter: (text) => PASS_KEY_HINT.test(text),
      evaluate: (m, text) => pairSecret(m, text),
    }),
    patternRecognizer({
      name: "secret_bearer",
      type: "SECRET",
      regex: BEARER,
      evaluate: (m) => (m[1] && looksRandom(m[1]) ? group(m, 1, 0.85) : null),
    }),
    patternRecognizer({
      name: "secret_url_credentials",
      type: "SECRET",
      regex: URL_CREDENTIALS,
      prefilter: (text) => text.includes("://"),
      // Without a user, a number of a port's length is a port (`http://:8080@…`), not a password.
      evaluate: (m) => (m[0].startsWith("://:") && /^\d{1,5}$/.test(m[1] ?? "") ? null : group(m, 1, 0.9)),
    }),
    pemRecognizer(),
    ...keyNameSecretRecognizers(),
    ...commandLineSecretRecognizers(),
  ];
}

/**
 * PEM private keys: from BEGIN to the matching END line, or, when the END line is missing (a truncated
 * paste), through the last base64 line, so a partial key is still covered.
 */
function pemRecognizer(): Recognizer {
  return {
    name: "secret_pem",
    scan(text, out, deadline) {
      if (!text.includes("-----BEGIN")) return;
      const endAfter = pemEnds(text);
      // Keys whose END line is missing, begun on the same line, run on through the same base64 lines: the
      // line break after the last one and where its body ends are reused, not searched for again.
      let walked = { from: -1, lineBreak: -1, to: -1 };
      let seen = 0;
      for (const begin of text.matchAll(PEM_BEGIN)) {
        if (++seen % CHECK_EVERY === 0) deadline.check();
        const endMarker = `-----END ${begin[1] ?? ""}PRIVATE KEY${begin[2] ?? ""}-----`;
        const bodyStart = begin.index + begin[0].length;
        const endAt = endAfter(endMarker, bodyStart);
        let end: number;
        if (endAt !== -1) {
          end = endAt + endMarker.length;
        } else {
          if (walked.from === -1 || (walked.lineBreak !== -1 && walked.lineBreak < bodyStart)) {
            const lineBreak = text.indexOf("\n", bodyStart);
            walked = { from: bodyStart, lineBreak, to: lastBase64Line(text, lineBreak) };
          }
          end = walked.to === -1 ? bodyStart : walked.to;
        }
        out.push({ type: "SECRET", start: begin.index, end, score: 1 });
      }
    },
  };
}

/**
 * Where each PEM END line is: a function giving `text.indexOf(marker, from)`, asked with `from` never
 * going back (BEGIN lines in the order they come). Searched for once per BEGIN line, a text of many keys
 * without their END lines (a log of truncated pastes) was read to its end once per key: 400 KB took 2 s.
 */
function pemEnds(text: string): (marker: string, from: number) => number {
  // At most one END line starts at each "-----END ": its words (no dashes) run up to the first
  // "PRIVATE KEY-----" or "PRIVATE KEY BLOCK-----".
  const at = new Map<string, number[]>();
  for (let start = text.indexOf("-----END "); start !== -1; start = text.indexOf("-----END ", start + 1)) {
    PEM_END.lastIndex = start;
    const marker = PEM_END.exec(text)?.[0];
    if (marker !== undefined) {
      const starts = at.get(marker);
      if (starts) starts.push(start);
      else at.set(marker, [start]);
    }
  }
  const next = new Map<string, number>();
  return (marker, from) => {
    const starts = at.get(marker);
    if (!starts) return -1;
    let i = next.get(marker) ?? 0;
    while (i < starts.length && starts[i]! < from) i++;
    next.set(marker, i);
    return i < starts.length ? starts[i]! : -1;
  };
}

/**
 * The end of the last line of a truncated key's body: lines from the one starting at `lineStart` (a
 * line break) that are base64 or a header ("Proc-Type: …"), blank lines between them; -1 when none is.
 */
function lastBase64Line(text: string, lineStart: number): number {
  let end = -1;
  while (lineStart !== -1) {
    let lineEnd = text.indexOf("\n", lineStart + 1);
    if (lineEnd === -1) lineEnd = text.length;
    const line = text.slice(lineStart + 1, lineEnd).trim();
    // Blank lines sit between the headers and the body of encrypted keys; they do not end the key.
    if (line !== "") {
      if (!BASE64_LINE.test(line) && !/^[A-Za-z-]+: /.test(line)) break;
      end = lineEnd;
    }
    lineStart = lineEnd < text.length ? lineEnd : -1;
  }
  return end;
}
