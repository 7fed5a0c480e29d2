/**
 * Loads `budgets.yaml`. The file is optional: without it no tenant has a budget. A file that exists but
 * is wrong or unreadable (a directory in its place, no permission) stops start-up (or a reload) with
 * `file:line:col` problems, like every policy file; so does its removal once the gateway has loaded it
 * (`reloadBudgetPolicy`).
 */
import { ConfigError, configText, loadOptionalYamlFile, parseYamlText, readConfigFile } from "../../config/yaml-file.js";
import { BudgetsFileSchema, NO_BUDGETS, type BudgetPolicy } from "./schema.js";

export async function loadBudgetPolicy(file: string): Promise<BudgetPolicy> {
  return (await readBudgetPolicy(file)) ?? NO_BUDGETS;
}

/** The file's budgets, or `undefined` when there is no such file. */
export async function readBudgetPolicy(file: string): Promise<BudgetPolicy | undefined> {
  return (await loadOptionalYamlFile(file, BudgetsFileSchema))?.value;
}

export interface ReloadBudgetOptions {
  /** Whether the running gateway has loaded the file: then its absence is an error. */
  loaded: boolean;
  /** Parses the file's text (`parseBudgetsOffThread`: on a worker). Default: `parseBudgetPolicy`, on this thread. */
  parse?: ((file: string, text: string) => Promise<BudgetPolicy>) | undefined;
}

const parseSync = async (file: string, text: string): Promise<BudgetPolicy> => parseBudgetPolicy(file, text);

/**
 * The budgets a reload puts in force. Once the running gateway has loaded the file (`loaded`), its
 * absence is a `ConfigError`, not "no budgets": a rename or a deletion (a deploy that lost it) would
 * otherwise lift every tenant's budget without a word. Lifting them is an edit that says so.
 *
 * @example
 * const policy = await reloadBudgetPolicy("policies/budgets.yaml", { loaded: true }); // throws when gone
 */
export async function reloadBudgetPolicy(file: string, options: ReloadBudgetOptions): Promise<BudgetPolicy | undefined> {
  const bytes = await readConfigFile(file);
  const policy = bytes === undefined ? undefined : await (options.parse ?? parseSync)(file, configText(file, bytes));
  if (policy === undefined && options.loaded) {
    throw new ConfigError([
      {
        file,
        line: 0,
        col: 0,
        path: "",
        message: "file not found; the gateway loaded budgets from it and keeps them in force (to lift every budget, leave the file with `version: 1` only)",
      },
    ]);
  }
  return policy;
}

export const parseBudgetPolicy = (file: string, text: string): BudgetPolicy => parseYamlText(file, text, BudgetsFileSchema).value;
