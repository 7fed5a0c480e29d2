import { createHmac } from "node:crypto";
import { canonicalValue } from "./canonical-value.js";
import { valueReader, type ValueReader } from "./decode.js";
import type { Entity } from "./entity.js";
import { actionFor, type Destination, type PiiAction, type PiiPolicy } from "./policy/schema.js";
import type { SummaryTally } from "./summary.js";
import { TYPED_PLACEHOLDER, typedPlaceholderFor } from "./typed-placeholder.js";
import type { PseudonymVault } from "./vault.js";

export interface ActionContext {
  policy: PiiPolicy;
  destination: Destination;
  vault: PseudonymVault;
  /** HMAC key for `hash`, already scoped to the tenant; null when no rule hashes. */
  tenantHashKey: Buffer | null;
  tally: SummaryTally;
  /** The routing policy's action for this route, replacing pii.yaml's for every entity type. */
  override?: PiiAction | undefined;
}

/** A per-tenant key, so the same value hashes alike within a tenant and differently across tenants. */
export function tenantHashKey(secret: string, tenant: string): Buffer {
  return createHmac("sha256", secret).update(`switchyard-pii-tenant\u0000${tenant}`).digest();
}

function mask(value: string, char: string, keepLast: number): string {
  let visible = keepLast;
  let out = "";
  for (let i = value.length - 1; i >= 0; i--) {
    const c = value[i]!;
    if (/[\p{L}\p{N}]/u.test(c)) {
      out = (visible > 0 ? c : char) + out;
      visible--;
    } else {
      out = c + out;
    }
  }
  // A value with no more letters/digits than `keepLast` would be shown whole; mask it whole instead.
  return visible >= 0 ? out.replace(/[\p{L}\p{N}]/gu, char) : out;
}

/**
 * `value` is the text as written; `read` is the value as the engine read it there (decode.ts
 * `valueReader`): the placeholder and hash are the value's, whatever its spelling, and it restores as read.
 */
function replacement(action: PiiAction, type: string, value: string, read: () => string, ctx: ActionContext): string | null {
  switch (action) {
    case "redact":
      return `<${type}>`;
    case "mask":
      return mask(value, ctx.policy.mask.char, ctx.policy.mask.keep_last);
    case "hash": {
      if (!ctx.tenantHashKey) throw new Error("PII hash action without a hash key; createSanitizer checks this at start-up");
      const digest = createHmac("sha256", ctx.tenantHashKey).update(canonicalValue(type, read())).digest("hex");
      return `<${type}:${digest.slice(0, ctx.policy.hash.length)}>`;
    }
    case "pseudonymize":
      return ctx.vault.placeholderFor(type, value, read());
    case "allow":
    case "block":
    case "keep_local":
      return null;
  }
}

/**
 * Whether a `+` that stands for a space in a form (`name=Kwame+Brandt`) is read as one in a value of
 * `type`: not in an e-mail address, where people write a `+` unencoded (`email=ann+tag@example.com`),
 * nor in a secret or URL, whose characters are what they are.
 */
function plusIsSpaceIn(type: string): boolean {
  return type !== "EMAIL_ADDRESS" && type !== "SECRET" && type !== "URL";
}

/** The action taken on an entity of `type` here: the route's override, else pii.yaml's rule for the destination. */
export function entityAction(ctx: ActionContext, type: string): PiiAction {
  return ctx.override ?? actionFor(ctx.policy, type, ctx.destination);
}

/**
 * Applies the policy's action for each entity to `text` and counts it in the tally. `block` and
 * `keep_local` leave the text as it is: the sanitizer decides from the tally that it must not be sent.
 * `reader` reads the values where they stand (by default in `text`; a text part's in its message).
 */
export function applyActions(text: string, entities: readonly Entity[], ctx: ActionContext, reader: ValueReader = valueReader(text)): string {
  if (entities.length === 0) return text;
  let out = "";
  let copied = 0;
  for (const entity of entities) {
    if (entity.type === TYPED_PLACEHOLDER) {
      // Not personal data: text that must not be read as the gateway's placeholder (any destination, any rule).
      out += text.slice(copied, entity.start) + typedPlaceholderFor(text.slice(entity.start, entity.end), ctx.vault);
      copied = entity.end;
      continue;
    }
    const action = entityAction(ctx, entity.type);
    ctx.tally.add(entity.type, action);
    const read = () => reader(entity.start, entity.end, plusIsSpaceIn(entity.type));
    const replaced = replacement(action, entity.type, text.slice(entity.start, entity.end), read, ctx);
    if (replaced === null) continue;
    out += text.slice(copied, entity.start) + replaced;
    copied = entity.end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}
