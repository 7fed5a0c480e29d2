/**
 * `SWITCHYARD_API_KEYS` entries are `key` or `tenant=key`. Base64 keys end in `=` padding, and the
 * first-`=` split read such a key as a tenant with an empty key, then printed 43 of its 44
 * characters in the "too short" error. A bad value must be reported like any other bad setting
 * (one line naming the variable, exit 1) and never echo any part of a key.
 */
import { Writable } from "node:stream";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { parseApiKeys } from "../../src/auth/api-keys.js";
import { serveCommand } from "../../src/cli/serve.js";
import { ConfigError, parseEnv } from "../../src/config/load.js";

const BASE64_KEY = "k8ZtQ2vNw4Rj7Lx1Ym9Pb3Hc6Fd0Gs5Kt2Wq8Ea4oP8q="; // 44 characters, one `=` of padding
const BASE64_KEY_2 = "Zq3Xv7Bn1Mk5Lp9Rt2Ws6Yd0Hf4Jg8Cu1Ne5Ai7oP8=="; // two `=` of padding

/** Every run of 6 characters of `key` that `text` contains (a fragment long enough to matter). */
function fragmentsOf(key: string, text: string): string[] {
  const found: string[] = [];
  for (let i = 0; i + 6 <= key.length; i++) if (text.includes(key.slice(i, i + 6))) found.push(key.slice(i, i + 6));
  return found;
}

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected an error");
}

describe("SWITCHYARD_API_KEYS entries", () => {
  it("read a bare base64 key with `=` or `==` padding as a key, not as `tenant=`", () => {
    const keys = parseApiKeys(`${BASE64_KEY},${BASE64_KEY_2}`);
    expect(keys.size).toBe(2);
    expect(keys.lookup(BASE64_KEY)?.id).toMatch(/^key-[0-9a-f]{12}$/);
    expect(keys.lookup(BASE64_KEY_2)?.id).toMatch(/^key-[0-9a-f]{12}$/);
  });

  it("still read `tenant=key`, including a padded base64 key after the tenant", () => {
    const keys = parseApiKeys(`acme=${BASE64_KEY}, globex-eu = plain-key-123`);
    expect(keys.lookup(BASE64_KEY)).toEqual({ id: "acme" });
    expect(keys.lookup("plain-key-123")).toEqual({ id: "globex-eu" });
  });

  // Any tenant text was read as the tenant before tenant ids had a rule; ids like these name real
  // tenants in running deployments, so refusing them would stop a gateway that started fine before.
  for (const tenant of ["acme:eu", "ops@acme.com", "team/alpha", "müller-gmbh", "acme corp"]) {
    it(`read '${tenant}=<key>' as that tenant's key`, () => {
      expect(parseApiKeys(`${tenant}=s3cret-key-0001`).lookup("s3cret-key-0001")).toEqual({ id: tenant });
    });
  }

  it("refuse `tenant=key` with control characters in the tenant, by position, instead of reading it as a bare key", () => {
    // A control character would forge log lines and metric labels; read as a bare key, that tenant's
    // clients would only get 401s with nothing saying why.
    const message = messageOf(() => parseApiKeys(`globex=${BASE64_KEY},acme\u0007corp=s3cret-key-1`));
    expect(message).toContain("entry 2: the text before its first '=' is not a tenant id");
    expect(message).not.toContain("acme");
    expect(message).not.toContain("s3cret");
  });

  it("name a short key's entry by its position and print no part of it", () => {
    const message = messageOf(() => parseApiKeys(`acme=${BASE64_KEY},Sh0rtK=`));
    expect(message).toContain("entry 2");
    expect(message).toContain("shorter than 8 characters");
    expect(message).not.toContain("Sh0rt");
  });

  it("refuse a key listed twice (it would silently belong to the last tenant), by position only", () => {
    const message = messageOf(() => parseApiKeys(`acme=${BASE64_KEY},globex=${BASE64_KEY}`));
    expect(message).toMatch(/entries 1 and 2/);
    expect(fragmentsOf(BASE64_KEY, message)).toEqual([]);
  });
});

describe("an invalid SWITCHYARD_API_KEYS at start-up", () => {
  it("is not a tenant id with punctuation, which start-up accepts", () => {
    expect(() => parseEnv({ SWITCHYARD_API_KEYS: "acme:eu=s3cret-key-0001,ops@acme.com=s3cret-key-0002" })).not.toThrow();
  });

  it("is a configuration problem naming the variable, with no part of any key", () => {
    let error: unknown;
    try {
      parseEnv({ SWITCHYARD_API_KEYS: `${BASE64_KEY},tiny=abc` });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toBe("environment: SWITCHYARD_API_KEYS: entry 2: the key is shorter than 8 characters");
  });

  it("stops `serve` with the usual 'invalid configuration' message and exit 1, no stack", async () => {
    let stderr = "";
    const sink = (append: (s: string) => void) =>
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          append(chunk.toString());
          done();
        },
      });
    const code = await serveCommand.run([], {
      stdin: Readable.from([]),
      stdout: sink(() => {}),
      stderr: sink((s) => (stderr += s)),
      env: { SWITCHYARD_API_KEYS: "k8ZtQ2=" },
      cwd: process.cwd(),
    });
    expect(code).toBe(1);
    expect(stderr).toBe("switchyard: invalid configuration:\nenvironment: SWITCHYARD_API_KEYS: entry 1: the key is shorter than 8 characters\n");
  });
});
