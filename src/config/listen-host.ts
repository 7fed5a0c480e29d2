/**
 * HOST, the address the gateway listens on: an IP address or a host name, checked at start-up. Node
 * passes anything else to the resolver when it binds, after the models and policies have loaded, and
 * the operator got `Error: getaddrinfo ENOTFOUND 0.0.0.0:8080` and a stack trace, naming no variable.
 */
import { isIP } from "node:net";
import { z } from "zod";

const MESSAGE = "must be an IP address (127.0.0.1, 0.0.0.0, ::) or a host name, without a scheme, brackets or port (the port is PORT)";

/** A DNS label's characters; `_` too, which Docker's service names may hold. A label neither starts nor ends with `-`. */
const LABEL = /^[A-Za-z0-9_-]+$/;
const MAX_LABEL = 63;
const MAX_NAME = 253;

/**
 * Whether `host` is written as a host name: dot-separated labels. One whose last label is all digits
 * (`999.1.1.1`, `8080`) is an IP address mistyped or a port, not a name: resolvers read `8080` as
 * 0.0.31.144.
 */
function isHostName(host: string): boolean {
  const name = host.endsWith(".") ? host.slice(0, -1) : host;
  if (name.length === 0 || name.length > MAX_NAME) return false;
  const labels = name.split(".");
  if (/^\d+$/.test(labels.at(-1) ?? "")) return false;
  return labels.every((label) => label.length <= MAX_LABEL && LABEL.test(label) && !label.startsWith("-") && !label.endsWith("-"));
}

/** @example ListenHostSchema.parse("0.0.0.0:8080"); // throws: HOST must be an IP address … or a host name … */
export const ListenHostSchema = z.string().refine((host) => isIP(host) !== 0 || isHostName(host), MESSAGE);
