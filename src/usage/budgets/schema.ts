/**
 * Schema of `policies/budgets.yaml`: a monthly USD budget per tenant and what happens once it is
 * spent. Strict keys, so a typo is a load error rather than a budget silently not enforced.
 */
import { z } from "zod";
import { FormatVersionSchema } from "../../config/format-version.js";

export const BudgetActionSchema = z.enum(["force_local", "deny"]);
export type BudgetAction = z.infer<typeof BudgetActionSchema>;

export const BudgetRuleSchema = z.strictObject({
  /** Spend allowed per UTC calendar month, in USD. */
  monthly_usd: z.number().positive(),
  /** `force_local`: keep answering, on the local model only; `deny`: answer 429 until the month ends. */
  action: BudgetActionSchema,
});
export type BudgetRule = z.infer<typeof BudgetRuleSchema>;

/**
 * Tenants by name. Any text is a tenant (README); a `__proto__` key, which a parsed record cannot
 * keep, is refused by the YAML reader (src/config/prototype-keys.ts) rather than silently dropped.
 */
const TenantsSchema = z.record(z.string().min(1), BudgetRuleSchema);

export const BudgetsFileSchema = z.strictObject({
  version: FormatVersionSchema,
  /** Applies to every tenant without an entry of its own; omit it to leave them unlimited. */
  default: BudgetRuleSchema.optional(),
  tenants: TenantsSchema.default({}),
});
export type BudgetPolicy = z.infer<typeof BudgetsFileSchema>;

export const NO_BUDGETS: BudgetPolicy = { version: 1, tenants: {} };

/**
 * Whether two budget policies put the same budgets in force, whatever order the file wrote its keys
 * in: what a reload reports as `changed` (budgets.yaml is not part of the policy version).
 */
export function sameBudgets(a: BudgetPolicy, b: BudgetPolicy): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * The tenant's own rule, else the default. Own entries only: a tenant named `constructor` or
 * `toString` is a tenant without an entry, not `Object.prototype`'s member.
 */
export function budgetRuleFor(policy: BudgetPolicy, tenant: string): BudgetRule | undefined {
  return (Object.hasOwn(policy.tenants, tenant) ? policy.tenants[tenant] : undefined) ?? policy.default;
}
