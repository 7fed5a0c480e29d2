/**
 * Loads `budgets.yaml`. The file is optional: without it no tenant has a budget. A file that exists but
 * is wrong or unreadable (a directory in its place, no permission) stops start-up (or a reload) with
 * `file:line:col` problems, like every policy file.
 */
import { loadOptionalYamlFile, parseYamlText } from "../../config/yaml-file.js";
import { BudgetsFileSchema, NO_BUDGETS, type BudgetPolicy } from "./schema.js";

export const BUDGETS_FILE = "budgets.yaml";

export async function loadBudgetPolicy(file: string): Promise<BudgetPolicy> {
  return (await loadOptionalYamlFile(file, BudgetsFileSchema))?.value ?? NO_BUDGETS;
}

export const parseBudgetPolicy = (file: string, text: string): BudgetPolicy => parseYamlText(file, text, BudgetsFileSchema).value;
