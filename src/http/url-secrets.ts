/**
 * The parts of a URL that may hold secrets: its user info (`https://user:pass@proxy/v1`, a proxy
 * behind basic auth), query (`?api-key=…`) and fragment. What is shown of a URL outside — on the
 * unauthenticated /readyz, in logs, as a metric label — goes without them.
 */

/** `scheme://user:pass@host/path?query#fragment`, found anywhere in a text. */
const URL_SECRETS = /\b([a-z][a-z0-9+.-]*:\/\/)(?:[^\s/?#]*@)?([^\s?#]*)(?:[?#][^\s]*)?/gi;

/** @example withoutUrlSecrets("proxy at https://u:p@proxy/v1?k=1") // "proxy at https://proxy/v1" */
export function withoutUrlSecrets(text: string): string {
  return text.replace(URL_SECRETS, "$1$2");
}
