/**
 * What a user noticed: ordinary sentences and code that merely mention a password, token or key
 * ("The access token is valid for one hour", "const token = req.headers.authorization;",
 * "token_count: 1532", '{"token_type":"Bearer"}') were reported as SECRET. The shipped routing keeps
 * every SECRET off the cloud, so such requests were pinned to the local model or refused, and the cloud
 * saw `<SECRET_1>` in place of plain words. Real credentials in the same kinds of sentences must still
 * be found, or they would reach the cloud in clear.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { defaultPolicy, valuesOf } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

const secrets = (text: string) => valuesOf(engine, "SECRET", text);

describe("SECRET in prose and code that only mention credentials", () => {
  it.each([
    // Prose: "<keyword> is <word>" describes the credential, it does not quote it.
    "The access token is valid for one hour.",
    "Why is my refresh token is expired error happening?",
    "The password is hashed with bcrypt before storage.",
    "The secret is stored in AWS Secrets Manager.",
    "The tokenizer splits text into tokens; each token is mapped to an id.",
    "The reset token is sent by email and valid 15 minutes.",
    "In OAuth, the access token is sent in the Authorization header as Bearer.",
    "The secret_key_base is used by Rails to sign cookies.",
    "const token = getToken(); // token is refreshed every hour",
    // Code: the value is an expression, an identifier or a path, not the credential itself.
    "const token = req.headers.authorization;",
    "password = getpass.getpass()",
    'api_key = os.getenv("OPENAI_API_KEY")',
    "self.api_key = api_key",
    "const apiKey = config.get('apiKey');\nif (!apiKey) throw new Error('missing');",
    "password_hash = bcrypt.hashpw(password.encode('utf-8'), bcrypt.gensalt())",
    "user.password = hashPassword(req.body.password);",
    "csrf_token = request.COOKIES.get('csrftoken')",
    "tokenizer = AutoTokenizer.from_pretrained('bert-base-uncased'); token_ids = tokenizer.encode(text)",
    "token = tokens[i]; if token == 'EOF': break",
    'secret = Secret.from_name("my-app-secrets")',
    "tokens = text.split(); token_count = len(tokens)",
    "private_key_path: /etc/ssl/private/server.key",
    "The field `secret_ref: vault/data/app` points to the Vault path",
    "access_key_id: !Ref AccessKeyParam",
    // Settings whose values are counts, words or auth schemes.
    "token_count: 1532",
    "max_tokens: 4096 and token_limit: 8192",
    "credentials: include, mode: cors",
    "The column password_changed_at: timestamp, secret_question: varchar(255)",
    '{"token_type":"Bearer","expires_in":3599,"scope":"read write"}',
    'The API returns {"token_type": "bearer", "expires_in": 3600}',
    // A keyword inside a longer word is not the keyword, and a public key token is public.
    "Could not load file or assembly 'Newtonsoft.Json, Version=13.0.0.0, Culture=neutral, PublicKeyToken=30ad4fe6b2a6aeed' or one of its dependencies.",
    "mycsrftoken=a8f3k2j9x7",
    "type User { email: String! password: String! }",
    "db.connect(user=user, password=password)",
    "The secret is HS256, shared by both services.",
  ])("finds none in %j", (text) => {
    expect(secrets(text)).toEqual([]);
  });
});

describe("SECRET in the same kinds of sentences when they hold a credential", () => {
  it.each([
    ["The access token is 9f8e7d6c5b4a39281706f5e4d3c2b1a0, use it for one hour.", "9f8e7d6c5b4a39281706f5e4d3c2b1a0"],
    ["my password is hunter2", "hunter2"],
    ["The password is Tr0ub4dor&3.", "Tr0ub4dor&3"],
    ["The secret is wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY and it is stored in AWS.", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],
    ['const token = "a3f9c2e8b1d74f60a9e2c3b4d5e6f708";', "a3f9c2e8b1d74f60a9e2c3b4d5e6f708"],
    ["password = 'hunter2'", "hunter2"],
    ["password=hunter2", "hunter2"],
    ["My password is Summer2024! can you check if it's strong?", "Summer2024!"],
    ["DB_PASSWORD=P@ss!word", "P@ss!word"],
    ["password: 123456", "123456"],
    ["token_secret: 4f1c9a7e2b", "4f1c9a7e2b"],
    ['self.api_key = "q8Zr2LmX0pWvT5"', "q8Zr2LmX0pWvT5"],
    ["credentials: Zm9vOmJhcjEyMw==", "Zm9vOmJhcjEyMw=="],
    ['{"token_type":"Bearer","access_token":"x7Kp2QvL9mZr4TbW"}', "x7Kp2QvL9mZr4TbW"],
    ["const authToken = 'f3A9kQ2mZ7xR1pL8';", "f3A9kQ2mZ7xR1pL8"],
    ["clientSecret: AbCdEf123456GhIjKl7890xyz", "AbCdEf123456GhIjKl7890xyz"],
    ["aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],
  ])("finds it in %j", (text, value) => {
    expect(secrets(text)).toEqual([value]);
  });
});

describe("SECRET passphrases", () => {
  it("takes a run of letters too long to be a word as the password", () => {
    expect(secrets("DB_PASSWORD=correcthorsebatterystaple")).toEqual(["correcthorsebatterystaple"]);
  });
});
