/**
 * Loads `budgets.yaml`. The file is optional: without it no tenant has a budget. A file that exists but
 * is wrong stops start-up (or a reload) with `file:line:col` problems, like every policy file.
 */
import { access } from "node:fs/promises";
import { loadYamlFile, parseYamlText } from "../../config/yaml-file.js";
import { BudgetsFileSchema, NO_BUDGETS, type BudgetPolicy } from "./schema.js";

export const BUDGETS_FILE = "budgets.yaml";

export async function loadBudgetPolicy(file: string): Promise<BudgetPolicy> {
  try {
    await access(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return NO_BUDGETS;
    throw error;
  }
  return (await loadYamlFile(file, BudgetsFileSchema)).value;
}

export const parseBudgetPolicy = (file: string, text: string): BudgetPolicy => parseYamlText(file, text, BudgetsFileSchema).value;
