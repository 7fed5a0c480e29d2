/** Where the shipped intents file and the model trained from it live, relative to the project root. */
import { fileURLToPath } from "node:url";

export const DEFAULT_INTENTS_FILE = fileURLToPath(new URL("../policies/intents.yaml", import.meta.url));
export const DEFAULT_MODEL_DIR = fileURLToPath(new URL("./default/", import.meta.url));
