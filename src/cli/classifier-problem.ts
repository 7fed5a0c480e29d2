import type { ClassifierModelError } from "../../classifiers/errors.js";

/**
 * The intent classifier is the one model the gateway cannot start without: say which setting chose
 * the folder (the error itself names the folder and what is wrong with it). `serve` and `policy`
 * say it alike, so a check fails exactly as the start-up it stands in for.
 */
export function classifierProblem(error: ClassifierModelError, setting: ClassifierSetting | undefined): string {
  return setting
    ? `${setting}: cannot load the intent classifier: ${error.message}`
    : `cannot load the bundled intent classifier: ${error.message} (set SWITCHYARD_CLASSIFIER_DIR to another model folder)`;
}

/** What named the classifier folder: the gateway's variable, or `policy`'s flag. */
export type ClassifierSetting = "SWITCHYARD_CLASSIFIER_DIR" | "--classifier";
