/**
 * The schema of `policies/pii.yaml`, the one source of truth for the policy's types. Keys are strict so
 * a typo ("clowd:") is an error at load, not a silently ignored rule.
 */
import { isSupportedCountry } from "libphonenumber-js/max";
import { z } from "zod";
import { FormatVersionSchema } from "../../config/format-version.js";
import { BUILTIN_ENTITY_TYPES, EntityTypeName } from "../entity.js";
import { compileCustomPattern } from "../recognizers/custom.js";
import { VALIDATORS, type ValidatorName } from "../validators.js";

export const ACTIONS = ["allow", "redact", "mask", "hash", "pseudonymize", "block", "keep_local"] as const;
export const ActionSchema = z.enum(ACTIONS);
export type PiiAction = z.infer<typeof ActionSchema>;
export type Destination = "local" | "cloud";

const Score = z.number().min(0).max(1);

const EntityRuleSchema = z.strictObject({
  local: ActionSchema.optional(),
  cloud: ActionSchema.optional(),
  threshold: Score.optional(),
});

const CustomRecognizerSchema = z.strictObject({
  type: EntityTypeName,
  pattern: z.string().min(1).max(2000),
  case_insensitive: z.boolean().default(false),
  validator: z.enum(Object.keys(VALIDATORS) as [ValidatorName, ...ValidatorName[]]).optional(),
  score: z.number().gt(0).max(1).default(0.6),
  context: z.array(z.string().min(1)).default([]),
  negative_context: z.array(z.string().min(1)).default([]),
});

export const PiiPolicySchema = z
  .strictObject({
    version: FormatVersionSchema,
    scan: z.strictObject({
      budget_ms: z.number().positive().max(10_000),
      max_text_chars: z.int().positive(),
      on_failure: z.enum(["refuse", "local"]),
      /** Texts whose scan result is remembered (by a salted hash, never the text): resent history and system prompts skip the recognizers. 0 turns it off. */
      cache_entries: z.int().min(0).max(1_000_000).default(4096),
    }),
    phone_regions: z
      .array(z.string().refine(isSupportedCountry, "must be an ISO 3166-1 alpha-2 region libphonenumber knows, e.g. US"))
      .min(1),
    hash: z.strictObject({
      key_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name"),
      length: z.int().min(8).max(64),
    }),
    mask: z.strictObject({ char: z.string().length(1), keep_last: z.int().min(0).max(8) }),
    non_text_content: z.strictObject({ cloud: z.enum(["allow", "keep_local", "block"]) }),
    /**
     * How conversations are kept in the context store: `raw`, or `sanitized` — as they would leave for
     * the cloud (pseudonymized with the session's vault, so the gateway can restore them; whatever the
     * cloud rules block or keep local is redacted).
     */
    context_storage: z.enum(["raw", "sanitized"]).default("raw"),
    defaults: z.strictObject({ threshold: Score, local: ActionSchema, cloud: ActionSchema }),
    entities: z.record(EntityTypeName, EntityRuleSchema).default({}),
    custom_recognizers: z.array(CustomRecognizerSchema).default([]),
  })
  .superRefine((policy, ctx) => {
    const known = new Set<string>([...BUILTIN_ENTITY_TYPES, ...policy.custom_recognizers.map((r) => r.type)]);
    for (const type of Object.keys(policy.entities)) {
      if (!known.has(type)) {
        ctx.addIssue({
          code: "custom",
          path: ["entities", type],
          message: `unknown entity type; expected a built-in type (${BUILTIN_ENTITY_TYPES.join(", ")}) or a custom recognizer's type`,
        });
      }
    }
    policy.custom_recognizers.forEach((recognizer, index) => {
      try {
        compileCustomPattern(recognizer.pattern, recognizer.case_insensitive);
      } catch (error) {
        ctx.addIssue({
          code: "custom",
          path: ["custom_recognizers", index, "pattern"],
          message: `must be an RE2 regular expression (no look-around or back-references): ${error instanceof Error ? error.message : String(error)}`,
        });
      }
    });
  });
export type PiiPolicy = z.infer<typeof PiiPolicySchema>;
export type CustomRecognizerPolicy = z.infer<typeof CustomRecognizerSchema>;

/** The rule for `type` at `destination`, after the policy's defaults. */
export function actionFor(policy: PiiPolicy, type: string, destination: Destination): PiiAction {
  return policy.entities[type]?.[destination] ?? policy.defaults[destination];
}

export function thresholdFor(policy: PiiPolicy, type: string): number {
  return policy.entities[type]?.threshold ?? policy.defaults.threshold;
}
