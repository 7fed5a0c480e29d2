/**
 * The schema of `policies/routing.yaml`: an ordered list of rules (the first whose conditions all hold
 * decides), then a `default` action. Keys are strict everywhere so a typo ("promt_tokens_above") is an
 * error with its file:line:col, never a silently ignored condition. Reference: docs/POLICIES.md.
 */
import { z } from "zod";
import { FormatVersionSchema } from "../config/format-version.js";

export const ROUTING_FILE = "routing.yaml";
export const INTENTS_FILE = "intents.yaml";
export const MODELS_FILE = "models.yaml";
/** Read only for the entity types its custom recognizers add (`pii_found` names must exist). */
export const PII_FILE = "pii.yaml";
/** Monthly budgets per tenant (usage accounting: its own load, watch and reload). */
export const BUDGETS_FILE = "budgets.yaml";
/** The context store's settings (read at start-up only). */
export const CONTEXT_FILE = "context.yaml";
/** The files a routing policy load (`loadPolicyDir`) reads: an edit of one reloads the policy. */
export const ROUTING_POLICY_FILES = [ROUTING_FILE, INTENTS_FILE, MODELS_FILE, PII_FILE] as const;
/** Every file the gateway reads from a policy folder, by the one name it reads it under. */
export const POLICY_FOLDER_FILES = [...ROUTING_POLICY_FILES, BUDGETS_FILE, CONTEXT_FILE] as const;

/**
 * What the PII engine applies to this request's findings when it is sent to a cloud model. Opaque to
 * the router except for `keep_local`, which also forbids every cloud target (decide skips them, run-time
 * fallbacks never pick one). `default` leaves `pii.yaml`'s per-type cloud rules in force; the others
 * replace them for every entity type found. Local targets always follow `pii.yaml`'s local rules.
 */
export const PII_ROUTE_ACTIONS = ["default", "allow", "redact", "mask", "hash", "pseudonymize", "block", "keep_local"] as const;
export const PiiRouteActionSchema = z.enum(PII_ROUTE_ACTIONS);
export type PiiRouteAction = z.infer<typeof PiiRouteActionSchema>;

export const RESPONSE_FORMATS = ["text", "json_object", "json_schema"] as const;
export type ResponseFormatKind = (typeof RESPONSE_FORMATS)[number];

/** Targets that are not model ids. */
export const TARGET_INTENT_DEFAULT = "intent_default";
export const TARGET_REQUESTED = "requested";
export const TARGET_LOCAL = "local";
export const TARGET_CLOUD = "cloud";
export const SPECIAL_TARGETS = [TARGET_INTENT_DEFAULT, TARGET_REQUESTED, TARGET_LOCAL, TARGET_CLOUD] as const;

const Target = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/, `must be a model id from models.yaml or one of ${SPECIAL_TARGETS.join(", ")}`);

const Name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, "must be 1-64 letters, digits, _ . : - (starting with a letter or digit)");
const IntentName = z.string().min(1).max(64);
const EntityType = z.string().regex(/^[A-Z][A-Z0-9_]{0,39}$/, "must be a PII entity type such as EMAIL_ADDRESS or SECRET (upper case)");
const Probability = z.number().min(0).max(1);
const Count = z.int().nonnegative();

/**
 * The fix for a number where text is expected: YAML reads `tier: 2` and `tenant: 0042` unquoted as
 * numbers (0042 as 42), while headers, metadata, tenants and intents are text. Without this the
 * operator saw only "expected a value, …" for a value that looked right.
 */
const QUOTE_NUMBER = "a number where text goes: put the value in quotes as written ('0042', '3.10'); unquoted, YAML reads it as a number and drops leading and trailing zeros";
const quoteNumber = (input: unknown): string | undefined => {
  const number = Array.isArray(input) ? input.find((item) => typeof item === "number") : input;
  // The digits as written are gone (0042 reads as 42, 3.10 as 3.1): suggesting the parsed value would
  // point the operator at another tenant or version.
  return typeof number === "number" ? QUOTE_NUMBER : undefined;
};

/**
 * One value or a non-empty list of them. `what` names the value for the error an operator sees when
 * the entry is neither (zod's own is "Invalid input"); a value of the right shape that breaks the
 * item's rule still gets the item's message.
 */
const oneOrMany = <T extends z.ZodType>(item: T, what: string) =>
  z.union([item, z.array(item).min(1)], { error: (issue) => quoteNumber(issue.input) ?? `expected ${what}, or a non-empty list of them` });

/** A header or metadata match: a value, any of several values, or `true`/`false` for present/absent. */
const ValueMatch = z.union([z.boolean(), z.string(), z.array(z.string()).min(1)], {
  error: (issue) => quoteNumber(issue.input) ?? "expected a value, a non-empty list of values, or true (present) / false (absent)",
});

/**
 * A map of matches compiles to one test per key, so an empty one tests nothing and holds for every
 * request: `headers: {}` on a deny rule would deny all traffic.
 */
const nonEmptyMatches = <T extends z.ZodType<Record<string, unknown>>>(matches: T, what: string) =>
  matches.refine((map) => Object.keys(map).length > 0, {
    message: `needs at least one ${what} (an empty map would always hold)`,
    when: (payload) => payload.issues.length === 0,
  });

const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const HeaderMatches = nonEmptyMatches(
  z.record(z.string(), ValueMatch).superRefine((headers, ctx) => {
    for (const name of Object.keys(headers)) {
      if (!HEADER_NAME.test(name)) ctx.addIssue({ code: "custom", path: [name], message: "must be a lower-case HTTP header name (e.g. x-team)" });
    }
  }),
  "header",
);
const MetadataMatches = nonEmptyMatches(z.record(z.string().min(1).max(64), ValueMatch), "metadata key");

export interface Conditions {
  intent?: string | string[] | undefined;
  intent_route?: "local" | "cloud" | undefined;
  unsure?: boolean | undefined;
  confidence_below?: number | undefined;
  confidence_above?: number | undefined;
  prompt_tokens_above?: number | undefined;
  prompt_tokens_below?: number | undefined;
  turns_above?: number | undefined;
  turns_below?: number | undefined;
  tools?: boolean | undefined;
  images?: boolean | undefined;
  response_format?: ResponseFormatKind | ResponseFormatKind[] | undefined;
  model?: string | string[] | undefined;
  tenant?: string | string[] | undefined;
  headers?: Record<string, boolean | string | string[]> | undefined;
  metadata?: Record<string, boolean | string | string[]> | undefined;
  pii_found?: string | string[] | undefined;
  local_queue_above?: number | undefined;
  local_queue_below?: number | undefined;
  local_healthy?: boolean | undefined;
  budget_exceeded?: boolean | undefined;
  any?: Conditions[] | undefined;
  not?: Conditions | undefined;
}

export const ConditionsSchema: z.ZodType<Conditions> = z.strictObject({
  /** The classifier's intent is this one (or one of these). */
  intent: oneOrMany(IntentName, "an intent name").optional(),
  /** The classifier's intent has this default route in intents.yaml. */
  intent_route: z.enum(["local", "cloud"]).optional(),
  unsure: z.boolean().optional(),
  confidence_below: Probability.optional(),
  confidence_above: Probability.optional(),
  prompt_tokens_above: Count.optional(),
  prompt_tokens_below: Count.optional(),
  turns_above: Count.optional(),
  turns_below: Count.optional(),
  tools: z.boolean().optional(),
  images: z.boolean().optional(),
  response_format: oneOrMany(z.enum(RESPONSE_FORMATS), `one of ${RESPONSE_FORMATS.join(", ")}`).optional(),
  /** The `model` the client sent (`auto`, `local`, `cloud` or a model id). */
  model: oneOrMany(z.string().min(1), "a model id").optional(),
  tenant: oneOrMany(z.string().min(1), "a tenant id").optional(),
  headers: HeaderMatches.optional(),
  metadata: MetadataMatches.optional(),
  /** `any` (at least one PII entity of any type) or entity types, of which at least one was found. */
  pii_found: z.union([z.literal("any"), oneOrMany(EntityType, "a PII entity type such as EMAIL_ADDRESS")], {
    error: "expected `any`, a PII entity type such as EMAIL_ADDRESS, or a non-empty list of them",
  }).optional(),
  local_queue_above: Count.optional(),
  local_queue_below: Count.optional(),
  local_healthy: z.boolean().optional(),
  budget_exceeded: z.boolean().optional(),
  get any() {
    return z.array(ConditionsSchema).min(1).optional();
  },
  get not() {
    return ConditionsSchema.optional();
  },
}).refine((conditions) => Object.keys(conditions).length > 0, {
  message: "needs at least one condition (an empty set would always hold; the catch-all is `default`)",
  // Only for a truly empty object: `{ typo: 1 }` already reports the unrecognized key.
  when: (payload) => payload.issues.length === 0,
}) as z.ZodType<Conditions>;

const DenySchema = z.strictObject({
  status: z.int().min(400).max(599).default(403),
  message: z.string().min(1).max(1000),
  code: z
    .string()
    .regex(/^[a-z0-9_]{1,64}$/, "must be snake_case")
    .default("policy_denied"),
});
export type Deny = z.infer<typeof DenySchema>;

export const ActionSchema = z
  .strictObject({
    /** A model id from models.yaml, `local`/`cloud` (models.yaml defaults), `intent_default` or `requested`. */
    route: Target.optional(),
    /** Tried in order when the route cannot serve the request (skipped at decision time or failing at run time). */
    fallbacks: z.array(Target).default([]),
    /** Upper bound on the completion's max_tokens (the client's value, if lower, wins). */
    max_tokens: z.int().positive().optional(),
    pii: PiiRouteActionSchema.default("default"),
    /** A pinned decision wins over a sticky session; an unpinned one yields to it. */
    pin: z.boolean().default(false),
    /** Allow the run-time last resorts (`degrade` at the top of the file) beyond the fallbacks listed here. */
    degrade: z.boolean().default(true),
    /** Refuse the request with this status and message (instead of `route`). */
    deny: DenySchema.optional(),
    /** The answer when no target of this action can serve the request (default: 400 or 503 naming the reasons). */
    else_deny: DenySchema.optional(),
  })
  .superRefine((action, ctx) => {
    if (action.deny && action.route !== undefined) {
      ctx.addIssue({ code: "custom", path: ["deny"], message: "an action either routes (`route`) or denies (`deny`), not both" });
    }
    if (!action.deny && action.route === undefined) {
      ctx.addIssue({ code: "custom", path: [], message: "an action needs `route` (a target) or `deny` ({ status, message })" });
    }
    if (action.deny) {
      for (const key of ["max_tokens", "else_deny"] as const) {
        if (action[key] !== undefined) ctx.addIssue({ code: "custom", path: [key], message: `\`${key}\` has no effect on a deny action` });
      }
      if (action.fallbacks.length > 0) ctx.addIssue({ code: "custom", path: ["fallbacks"], message: "`fallbacks` has no effect on a deny action" });
    }
  });
export type Action = z.infer<typeof ActionSchema>;

export const RuleSchema = z.strictObject({
  name: Name,
  description: z.string().optional(),
  when: ConditionsSchema,
  then: ActionSchema,
});
export type Rule = z.infer<typeof RuleSchema>;

export const StickySchema = z.strictObject({
  /** Turns that follow an escalation and stay on its target. 0 turns stickiness off. */
  turns: z.int().min(0).max(1000),
  /** Only cloud targets stick (an escalation); with false, any routed target does. */
  escalations_only: z.boolean().default(true),
  /** A turn whose intent differs from the escalating turn's ends the stickiness. */
  until_intent_changes: z.boolean().default(true),
});
export type Sticky = z.infer<typeof StickySchema>;

export const DegradeSchema = z.strictObject({
  /**
   * `cloud`: the default cloud model is a last resort once the chain has nothing else — first when a
   * local target failed (overloaded, down), and also when a cloud target failed and the default local
   * model is out or was tried. `none`: never.
   */
  local_overload: z.enum(["cloud", "none"]).default("cloud"),
  /**
   * `local`: the default local model is a last resort once the chain has nothing else — first when a
   * cloud target failed (429, 5xx, timeout, refused), and also when a local target failed and the default
   * cloud model is out or was tried. `none`: never.
   */
  cloud_failure: z.enum(["local", "none"]).default("local"),
});

export const RoutingFileSchema = z
  .strictObject({
    version: FormatVersionSchema,
    /** Where `intent_default` goes for a request with no intent (no classifier) or an intent without a route. */
    unclassified_route: z.enum(["local", "cloud"]).default("cloud"),
    sticky: StickySchema.optional(),
    degrade: DegradeSchema.default({ local_overload: "cloud", cloud_failure: "local" }),
    rules: z.array(RuleSchema).default([]),
    default: ActionSchema,
  })
  .superRefine((file, ctx) => {
    const seen = new Map<string, number>();
    file.rules.forEach((rule, index) => {
      const first = seen.get(rule.name);
      if (first !== undefined) {
        ctx.addIssue({ code: "custom", path: ["rules", index, "name"], message: `duplicate rule name '${rule.name}' (also rules[${first}])` });
      } else seen.set(rule.name, index);
      if (rule.name === "default") {
        ctx.addIssue({ code: "custom", path: ["rules", index, "name"], message: "'default' is reserved for the final action" });
      }
    });
  });
export type RoutingFile = z.infer<typeof RoutingFileSchema>;
