import { createHmac } from "node:crypto";
import { canonicalValue } from "./canonical-value.js";
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

function replacement(action: PiiAction, type: string, value: string, ctx: ActionContext): string | null {
  switch (action) {
    case "redact":
      return `<${type}>`;
    case "mask":
      return mask(value, ctx.policy.mask.char, ctx.policy.mask.keep_last);
    case "hash": {
      if (!ctx.tenantHashKey) throw new Error("PII hash action without a hash key; createSanitizer checks this at start-up");
      const digest = createHmac("sha256", ctx.tenantHashKey).update(canonicalValue(type, value)).digest("hex");
      return `<${type}:${digest.slice(0, ctx.policy.hash.length)}>`;
    }
    case "pseudonymize":
      return ctx.vault.placeholderFor(type, value);
    case "allow":
    case "block":
    case "keep_local":
      return null;
  }
}

/** The action taken on an entity of `type` here: the route's override, else pii.yaml's rule for the destination. */
export function entityAction(ctx: ActionContext, type: string): PiiAction {
  return ctx.override ?? actionFor(ctx.policy, type, ctx.destination);
}

/**
 * Applies the policy's action for each entity to `text` and counts it in the tally. `block` and
 * `keep_local` leave the text as it is: the sanitizer decides from the tally that it must not be sent.
 */
export function applyActions(text: string, entities: readonly Entity[], ctx: ActionContext): string {
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
    const replaced = replacement(action, entity.type, text.slice(entity.start, entity.end), ctx);
    if (replaced === null) continue;
    out += text.slice(copied, entity.start) + replaced;
    copied = entity.end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}
