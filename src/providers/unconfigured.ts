/**
 * Which providers cannot be called at all: an `openai_compatible` provider whose `api_key_env`
 * variable, or one of its `header_env` variables, is unset (or empty) in the environment. One reading for the gateway (`ProviderSet.unconfigured`,
 * from its start-up environment, and each provider's `/readyz` detail) and for `policy explain` (from
 * the environment it runs in), so both skip the same targets for the same reason.
 */
import type { OpenAICompatibleProviderConfig, ProviderConfig } from "../config/models-schema.js";

/**
 * Why `provider` cannot be called for want of its API key (`key`, the value of its `api_key_env`), or
 * undefined when it can: a provider that names no variable needs no key.
 *
 * @example
 * missingApiKey({ type: "openai_compatible", api_key_env: "OPENAI_API_KEY", … }, undefined); // "OPENAI_API_KEY is not set"
 */
export function missingApiKey(provider: Pick<OpenAICompatibleProviderConfig, "api_key_env">, key: string | undefined): string | undefined {
  if (provider.api_key_env === undefined || (key !== undefined && key !== "")) return undefined;
  return `${provider.api_key_env} is not set`;
}

/** What a provider's requests carry from the environment: its API key and its `header_env` values. */
export interface ProviderCredentials {
  /** The `api_key_env` variable's value; undefined when the provider names none or it is unset. */
  apiKey: string | undefined;
  /** By header name; undefined for a variable that is unset or empty. */
  headerValues: Record<string, string | undefined>;
}

/**
 * `provider`'s credentials as `env` holds them: the one reading for the gateway's providers and for
 * `unconfiguredProviders`.
 *
 * @example credentialsFrom({ api_key_env: "K", header_env: { "x-org": "ORG_KEY" } }, { K: "sk", ORG_KEY: "k" }); // { apiKey: "sk", headerValues: { "x-org": "k" } }
 */
export function credentialsFrom(
  provider: Pick<OpenAICompatibleProviderConfig, "api_key_env" | "header_env">,
  env: Readonly<Record<string, string | undefined>>,
): ProviderCredentials {
  return {
    apiKey: provider.api_key_env === undefined ? undefined : env[provider.api_key_env],
    headerValues: Object.fromEntries(Object.entries(provider.header_env).map(([header, variable]) => [header, env[variable] || undefined])),
  };
}

/**
 * Why `provider` cannot be called for want of a `header_env` variable (`CF_ACCESS_SECRET is not set`),
 * or undefined when `values` (from `credentialsFrom`) has them all.
 */
export function missingHeaderValues(
  provider: Pick<OpenAICompatibleProviderConfig, "header_env">,
  values: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const unset = Object.entries(provider.header_env).filter(([header]) => values[header] === undefined).map(([, variable]) => variable);
  if (unset.length === 0) return undefined;
  return `${unset.join(" and ")} ${unset.length === 1 ? "is" : "are"} not set`;
}

/**
 * Why `provider` cannot be called for want of a credential from the environment: its API key (`apiKey`,
 * when it names `api_key_env`) or a `header_env` value (`headerValues`), as `credentialsFrom` reads them.
 */
export function missingCredentials(
  provider: Pick<OpenAICompatibleProviderConfig, "api_key_env" | "header_env">,
  apiKey: string | undefined,
  headerValues: Readonly<Record<string, string | undefined>>,
): string | undefined {
  return missingApiKey(provider, apiKey) ?? missingHeaderValues(provider, headerValues);
}

/**
 * Every provider of models.yaml that cannot be called, by id: why (`OPENAI_API_KEY is not set`);
 * undefined when every one can. In-process (`llama_cpp`) providers need no key.
 *
 * @example
 * unconfiguredProviders(config.providers, process.env); // { openai: "OPENAI_API_KEY is not set" }
 */
export function unconfiguredProviders(
  providers: Readonly<Record<string, ProviderConfig>>,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> | undefined {
  let unconfigured: Record<string, string> | undefined;
  for (const [id, provider] of Object.entries(providers)) {
    if (provider.type !== "openai_compatible") continue;
    const { apiKey, headerValues } = credentialsFrom(provider, env);
    const missing = missingCredentials(provider, apiKey, headerValues);
    if (missing !== undefined) (unconfigured ??= {})[id] = missing;
  }
  return unconfigured;
}
