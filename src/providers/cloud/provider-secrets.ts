/**
 * What a provider sends that no upstream text quoted in an error may show (error-body.ts): a proxy
 * that echoes the request it received puts the request's credentials in its error.
 */
import type { OpenAICompatibleProviderConfig } from "../../config/models-schema.js";

/**
 * Header and query names that carry credentials: `x-api-key`, `Ocp-Apim-Subscription-Key`,
 * `cf-access-client-secret`, `access_token`, an Azure SAS `sig`, Azure Functions' `code`, a JWT
 * assertion. Other written values (`api-version`, `x-team`) stay in a quoted error, where they help say
 * what was sent.
 */
const CREDENTIAL_NAME = /auth|key|secret|token|passw|^pwd$|^pass$|credential|cookie|session|signature|^sig$|^code$|jwt|assertion/i;

/**
 * Every credential `config`'s requests carry: the API key, the `header_env` values (`headerValues`)
 * and the written headers and query parameters whose names say they are credentials.
 *
 * @example providerSecrets({ headers: { "x-api-key": "k1" }, query: { "api-version": "1" } }, "sk", {}); // ["sk", "k1"]
 */
export function providerSecrets(
  config: Pick<OpenAICompatibleProviderConfig, "headers" | "query">,
  apiKey: string | undefined,
  headerValues: Readonly<Record<string, string | undefined>>,
): string[] {
  const written = [...Object.entries(config.headers), ...Object.entries(config.query)].filter(([name]) => CREDENTIAL_NAME.test(name)).map(([, value]) => value);
  const fromEnv = Object.values(headerValues).filter((value) => value !== undefined);
  // fetch trims header values as it sends them, and a key read from a file often ends in its line
  // break (a Kubernetes secret from --from-file): what an upstream can echo is the trimmed value.
  const sent = [...(apiKey ? [apiKey] : []), ...fromEnv, ...written].map((value) => value.trim());
  // Longest first: a secret that holds another is replaced whole, not around the shorter one.
  return [...new Set(sent)].sort((a, b) => b.length - a.length);
}
