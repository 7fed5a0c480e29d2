/**
 * Whether the value after `password=`, `token:` or `api key is` is a credential, or code and prose that
 * only talk about one. Under a password or secret key any value assigned outside code is the secret, and
 * in prose a word that does not describe it. Elsewhere a credential is never an expression, an identifier,
 * a file path, a plain word or a small count; what is left (random-looking strings, anything with digits or
 * symbols mixed into letters) is kept, so a real secret is not sent to the cloud in clear.
 */

// Placeholders and references to where the secret lives, not the secret.
const PLACEHOLDER =
  /^(?:\$|<|\{|%|\*+$|process\.env|os\.environ|env\(|getenv|null$|none$|nil$|undefined$|true$|false$|required$|optional$|missing$|invalid$|expired$|incorrect$|wrong$|correct$|empty$|string$|str$|redacted$|hidden$|xxx+$|\.\.\.)/i;
const IDENTIFIER = "[A-Za-z_$][\\w$]*";
// `getpass.getpass()`, `os.getenv(`, `tokens[i]`, `varchar(255)`: a call or an index.
const CALL_OR_INDEX = new RegExp(`^${IDENTIFIER}(?:\\.${IDENTIFIER})*[([]`);
// `req.headers.authorization`, `self.api_key`.
const DOTTED_PATH = new RegExp(`^${IDENTIFIER}(?:\\.${IDENTIFIER})+$`);
// `api_key`, `OPENAI_API_KEY`, `getToken`, `AccessKeyParam`: names in code, all letters.
const SNAKE_CASE = /^_*[A-Za-z]+(?:_+[A-Za-z]+)+_*$/;
const CAMEL_CASE = /^[A-Za-z][a-z]+(?:[A-Z][a-z]+)+$/;
// `AbCdEfGhIjKl`: humps of one letter, three in a row, are a generated key, not words run together.
const ONE_LETTER_HUMPS = /(?:[A-Z][a-z](?=[A-Z]|$)){3}/;
// `include`, `Bearer`, `NONE`, `my-app-secrets`: words. A longer run of letters is no word but a
// passphrase (`DB_PASSWORD=correcthorsebatterystaple`).
const WORDS = /^(?:[A-Z]?[a-z]{1,13}|[A-Z]{2,10})(?:-(?:[A-Z]?[a-z]{1,13}|[A-Z]{2,10}))*$/;
// `password: String!`: a GraphQL field's scalar type (`Password: Monkey!` is a password).
const GRAPHQL_TYPE = /^(?:String|Int|Float|Boolean|ID)!$/;
// `connect(user=user, password=password)`: the call's closing bracket follows the value.
const CLOSING_BRACKETS = /[)\]}]+$/;
// `!Ref AccessKeyParam`: a YAML tag that says where the value comes from.
const YAML_TAG = /^![A-Za-z]+$/;
// `/etc/ssl/private/server.key`, `vault/data/app`.
const PATH = /^(?:~|\.{1,2})?\/?(?:[\w.-]+\/)+[\w.-]*$/;
const PASSWORD_NAME = /^(?:password|passwd|passphrase|pwd)/i;
const SMALL_COUNT = /^\d{1,7}$/;
// Keys whose value is often a word people chose: `NEXTAUTH_SECRET=supersecret`, `my password is sunshine`.
const WORD_SECRET_KEY = /(?:^|[_.-])(?:password|passwd|passphrase|pwd|pass|secret(?:[ _-]?key)?)$/i;
// `PIN_TOKEN=123456`, `the secret is 12345678`, `api_key=1234567`: a code or numeric key, not a count.
const NUMERIC_TOKEN_KEY = /^(?:token|secret|api[ _-]?key)$/i;
const LONG_NUMBER = /^\d{6,}$/;
// `PWD=/home/app`, `OLDPWD=~/src`: a directory, not a password (`password: ./secret` may be one).
const ABSOLUTE_PATH = /^~?\//;
// "The password is hashed", "my password is also …": words that describe the secret, not quote it.
const DESCRIPTION_WORDS = new Set(
  "stored hashed salted encrypted required valid invalid expired missing optional wrong correct incorrect empty blank also still very weak strong short long secure insecure safe unsafe never always only just same different unique random visible hidden shown known unknown generic public private sensitive mandatory simple easy hard complex good fine okay then when what that this there here where your their mine yours ours used sent kept saved reset changed".split(" "),
);
// Prose ends its sentence after the value: "The password is Tr0ub4dor&3."
const SENTENCE_END = /[.!?:)]+$/;
// Keys quoted in prose are long; "the secret is HS256" names an algorithm.
const MIN_PROSE_KEY = 8;
// "the token is base64-encoded": a compound with a plain word in it.
const PROSE_COMPOUND = /(?:^|-)[a-z]{4,}(?:-|$)/;

/** `assignment`: `key=value` in a config or connection string; `code`: a statement (`const key = value;`). */
export type PairForm = "assignment" | "field" | "code" | "prose";

/** Letters mixed with digits, or lower case running into upper case: how generated keys look. */
function looksGenerated(value: string): boolean {
  return (/\d/.test(value) && /[A-Za-z]/.test(value)) || /[a-z][A-Z]/.test(value);
}

function isPath(value: string): boolean {
  return PATH.test(value) && !value.split(/[/.]/).some(looksGenerated);
}

function isCodeOrWords(value: string): boolean {
  if (GRAPHQL_TYPE.test(value)) return true;
  const bare = value.replace(CLOSING_BRACKETS, "");
  if (PLACEHOLDER.test(bare) || CALL_OR_INDEX.test(bare) || YAML_TAG.test(bare) || isPath(bare)) return true;
  if (DOTTED_PATH.test(bare)) return !bare.split(".").some(looksGenerated);
  return SNAKE_CASE.test(bare) || (CAMEL_CASE.test(bare) && !ONE_LETTER_HUMPS.test(bare)) || WORDS.test(bare);
}

function describesTheSecret(word: string): boolean {
  return word.split("-").some((part) => DESCRIPTION_WORDS.has(part.toLowerCase()) || /(?:ed|ing)$/i.test(part));
}

/**
 * For a password or secret key: whether the value is the secret people chose, or undefined when the
 * general rules must decide. Assigned outside code, anything that is no placeholder is the secret
 * (`password: admin.admin`, `JWT_SECRET=changeme`); code checks apply only with code evidence, a call or
 * a closing bracket (`connect(password=password)`). In prose a plain word is the password unless it
 * describes it ("is hashed", "is required").
 */
function isChosenSecret(name: string, value: string, form: PairForm): boolean | undefined {
  const bare = value.replace(CLOSING_BRACKETS, "");
  // `{ password: password }`, `password: req.body.password`: a variable named like its key. A setting's
  // bare word is the password itself, the classic default (`password: password`, `DB_PASSWORD=password`).
  const lastSegment = bare.slice(bare.lastIndexOf(".") + 1);
  const namedLikeTheKey = lastSegment.toLowerCase() === name.toLowerCase() && (form !== "assignment" || bare !== lastSegment);
  if (namedLikeTheKey || PLACEHOLDER.test(bare) || YAML_TAG.test(bare)) return false;
  if (GRAPHQL_TYPE.test(value) || ABSOLUTE_PATH.test(bare)) return false;
  if (form === "assignment") return CALL_OR_INDEX.test(bare) ? undefined : true;
  // A field of an object literal or a call's argument (`{user: admin, password: sunshine}`,
  // `connect(host=db, password=sunshine)`): a plain word is the password people chose; an identifier
  // or a dotted path is a variable (`{ email, password: hashedPassword }`), for the general rules.
  if (form === "field") return WORDS.test(bare) ? true : undefined;
  if (form === "prose" && WORDS.test(value)) return !describesTheSecret(value);
  return undefined;
}

function looksLikeProseKey(value: string): boolean {
  return value.length >= MIN_PROSE_KEY && looksGenerated(value) && !PROSE_COMPOUND.test(value);
}

/**
 * The length of `value` that is the credential, or 0 when it is none. `name` is the key (`DB_PASSWORD`,
 * `token_count`); `form` says whether it was assigned (`=`, `:`) or stated in a sentence (` is `).
 */
export function secretValueLength(name: string, value: string, form: PairForm): number {
  // The sentence's full stop is not part of the secret; a "!" or "?" may be, so it stays covered. Nor
  // is the bracket closing the parenthesis or the object the pair stands in (`(password: sunshine)`).
  const candidate = form === "prose" ? value.replace(SENTENCE_END, "") : value;
  const length = form === "prose" ? value.replace(/\.+$/, "").length : value.replace(CLOSING_BRACKETS, "").length;
  if (candidate.length < 4) return 0;
  if (NUMERIC_TOKEN_KEY.test(name) && LONG_NUMBER.test(candidate)) return length;
  // Most leaked passwords are words people chose (`DB_PASSWORD=postgres`); the key is a password or
  // secret itself (`DB_PASSWORD`), not something about one (`password_policy`, `secret_name`).
  const chosenSecret = WORD_SECRET_KEY.test(name) ? isChosenSecret(name, candidate, form) : undefined;
  if (chosenSecret !== undefined) return chosenSecret ? length : 0;
  if (isCodeOrWords(candidate)) return 0;
  // A numeric password is still a password; a number after `token_count:` or `token_limit:` is a count.
  const password = PASSWORD_NAME.test(name);
  if (!password && SMALL_COUNT.test(candidate)) return 0;
  // In a sentence, "is" is followed by a description far more often than by the key itself, so a key
  // must look generated; a password needs only to be more than a word ("my password is hunter2").
  if (form === "prose" && !password && !looksLikeProseKey(candidate)) return 0;
  return length;
}
