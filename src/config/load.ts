/**
 * Builds the gateway's configuration from the environment and `models.yaml`, validating everything
 * up front: a bad setting stops start-up with one line per problem instead of failing on a request.
 */
import { dirname, isAbsolute, join, resolve } from "node:path";
import { createModelRegistry, type Location, type ModelRegistry } from "../models/registry.js";
import { EnvSchema, setVariables, type Env } from "./env.js";
import { ModelsFileSchema, type ModelsFile, type ProviderConfig } from "./models-schema.js";
import { ConfigError, expectPolicyFolder, loadYamlFile, type ConfigProblem } from "./yaml-file.js";

export interface GatewayConfig {
  env: Env;
  policyDir: string;
  modelsFile: ModelsFile;
  providers: Record<string, ProviderConfig>;
  registry: ModelRegistry;
  /** Environment as read at start-up (set variables only), for providers' API-key variables and other modules. */
  secrets: Readonly<Record<string, string | undefined>>;
}

export function parseEnv(raw: NodeJS.ProcessEnv): Env {
  const result = EnvSchema.safeParse(setVariables(raw));
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      file: "environment",
      line: 0,
      col: 0,
      path: String(issue.path[0] ?? ""),
      message: issue.message,
    })),
  );
}

const IN_PROCESS_LACKS = [
  { key: "tools", what: "call tools" },
  { key: "vision", what: "read images" },
] as const;

export async function loadGatewayConfig(rawEnv: NodeJS.ProcessEnv, cwd: string): Promise<GatewayConfig> {
  const env = withFoldersFrom(parseEnv(rawEnv), cwd);
  const policyDir = resolve(cwd, env.SWITCHYARD_POLICY_DIR);
  await expectPolicyFolder(policyDir);
  const modelsPath = join(policyDir, "models.yaml");
  const source = await loadYamlFile(modelsPath, ModelsFileSchema);
  const file = applyEnvOverrides(source.value, env, cwd);
  const problems: ConfigProblem[] = [];

  for (const [id, model] of Object.entries(file.models)) {
    const provider = file.providers[model.provider];
    if (!provider) {
      problems.push(source.problem(["models", id, "provider"], `unknown provider '${model.provider}'; declared: ${Object.keys(file.providers).join(", ") || "none"}`));
    } else if (provider.type === "llama_cpp") {
      if (!model.path) problems.push(source.problem(["models", id], `a llama_cpp model needs 'path' (a GGUF file)${id === file.defaults.local ? " or SWITCHYARD_LOCAL_MODEL" : ""}`));
      // The in-process runtime gives the model a text prompt only: claimed, these let requests with
      // tools or images through to be answered with the tools or images silently left out.
      for (const capability of IN_PROCESS_LACKS) {
        if (model.capabilities[capability.key]) problems.push(source.problem(["models", id, "capabilities", capability.key], `a llama_cpp model cannot ${capability.what} in-process; set it false, or serve the model with a llama.cpp server (an openai_compatible provider with location: local)`));
      }
    }
  }
  for (const key of ["local", "cloud", "baseline"] as const) {
    const id = file.defaults[key];
    if (id !== undefined && !file.models[id]) {
      problems.push(source.problem(["defaults", key], `unknown model '${id}'; declared: ${Object.keys(file.models).join(", ")}`));
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const locationOf = (providerId: string): Location => {
    const provider = file.providers[providerId];
    return provider?.type === "openai_compatible" ? provider.location : "local";
  };
  const modelsDir = dirname(modelsPath);
  const registry = createModelRegistry(file, (p) => (isAbsolute(p) ? p : resolve(modelsDir, p)), locationOf);
  return { env, policyDir, modelsFile: file, providers: file.providers, registry, secrets: setVariables(rawEnv) };
}

/**
 * The folders the environment names, made absolute against `cwd` (the operator's directory, as for
 * SWITCHYARD_POLICY_DIR), so that whoever opens them later resolves them as `policy check` does.
 */
function withFoldersFrom(env: Env, cwd: string): Env {
  const next = { ...env };
  if (env.SWITCHYARD_CLASSIFIER_DIR !== undefined) next.SWITCHYARD_CLASSIFIER_DIR = resolve(cwd, env.SWITCHYARD_CLASSIFIER_DIR);
  if (env.SWITCHYARD_SHADOW_POLICY_DIR !== undefined) next.SWITCHYARD_SHADOW_POLICY_DIR = resolve(cwd, env.SWITCHYARD_SHADOW_POLICY_DIR);
  return next;
}

/**
 * `SWITCHYARD_LOCAL_MODEL` replaces the default local model's GGUF path (resolved against the
 * working directory, as paths typed in a shell are) and `OPENAI_BASE_URL` the default cloud
 * provider's base URL (or its pool, `base_urls`), matching the official SDK's own variable.
 */
function applyEnvOverrides(file: ModelsFile, env: Env, cwd: string): ModelsFile {
  const next: ModelsFile = { ...file, models: { ...file.models }, providers: { ...file.providers } };
  const localId = file.defaults.local;
  const local = localId === undefined ? undefined : file.models[localId];
  if (localId !== undefined && local && env.SWITCHYARD_LOCAL_MODEL) {
    next.models[localId] = { ...local, path: resolve(cwd, env.SWITCHYARD_LOCAL_MODEL) };
  }
  const cloudId = file.defaults.cloud;
  const cloudProviderId = cloudId === undefined ? undefined : file.models[cloudId]?.provider;
  const cloudProvider = cloudProviderId === undefined ? undefined : file.providers[cloudProviderId];
  if (cloudProviderId !== undefined && cloudProvider?.type === "openai_compatible" && env.OPENAI_BASE_URL) {
    // The variable names one server, as in the SDK: it replaces a pool (`base_urls`) as it replaces a base_url.
    const { base_urls: _pool, ...provider } = cloudProvider;
    next.providers[cloudProviderId] = { ...provider, base_url: env.OPENAI_BASE_URL };
  }
  return next;
}

export { ConfigError };
