/**
 * TLS to Redis as `redis.tls` in context.yaml describes it: `true` (the system's trusted CAs), or the
 * CA to trust (a private CA), a client certificate for mutual TLS and the name to verify. The files
 * are read and checked once at start-up, so a missing or malformed file stops the gateway with the
 * line that names it instead of failing every connection later.
 */
import { readFile } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { X509Certificate, createPrivateKey } from "node:crypto";
import { createSecureContext } from "node:tls";
import { z } from "zod";
import { ConfigError, type ConfigProblem } from "../config/yaml-file.js";

const RedisTlsFilesSchema = z
  .strictObject({
    /** PEM bundle of the CA(s) that sign the Redis servers' certificates; absent: the system's CAs. */
    ca_file: z.string().min(1).optional(),
    /** Client certificate and key (PEM) for servers that require mutual TLS (`tls-auth-clients yes`). */
    cert_file: z.string().min(1).optional(),
    key_file: z.string().min(1).optional(),
    /** The name to verify in the servers' certificates when it is not the host connected to. */
    servername: z.string().min(1).optional(),
  })
  .refine((t) => (t.cert_file === undefined) === (t.key_file === undefined), "set both 'cert_file' and 'key_file' (mutual TLS), or neither");

export const RedisTlsSchema = z.union([z.boolean(), RedisTlsFilesSchema], {
  error: "must be true, false, or an object with ca_file, cert_file, key_file, servername",
});
export type RedisTlsSetting = z.infer<typeof RedisTlsSchema>;

/**
 * What a TLS connection to Redis uses (node `tls.connect` options). The server's certificate is always
 * verified: against `ca` when set, the system's CAs otherwise.
 */
export interface RedisTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  servername?: string;
}

type FileKey = "ca_file" | "cert_file" | "key_file";

/**
 * Reads the files a `redis.tls` setting names (paths relative to `baseDir`, the policy folder).
 * `undefined` when the setting does not turn TLS on.
 *
 * @example
 * const tls = await readRedisTls(source.value.redis?.tls, policyDir, source.problem);
 */
export async function readRedisTls(
  setting: RedisTlsSetting | undefined,
  baseDir: string,
  problemAt: (path: readonly PropertyKey[], message: string) => ConfigProblem,
): Promise<RedisTls | undefined> {
  if (setting === undefined || setting === false) return undefined;
  if (setting === true) return {};
  const problems: ConfigProblem[] = [];
  const at = (key: FileKey) => ["redis", "tls", key] as const;
  const read = async (key: FileKey): Promise<Buffer | undefined> => {
    const name = setting[key];
    if (name === undefined) return undefined;
    const path = isAbsolute(name) ? name : resolve(baseDir, name);
    try {
      return await readFile(path);
    } catch (error) {
      problems.push(problemAt(at(key), `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`));
      return undefined;
    }
  };
  const [ca, cert, key] = [await read("ca_file"), await read("cert_file"), await read("key_file")];
  if (ca) problems.push(...certificateProblems(ca).map((m) => problemAt(at("ca_file"), m)));
  if (cert && key) problems.push(...clientIdentityProblems(cert, key).map(({ file, message }) => problemAt(at(file), message)));
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(setting.servername ? { servername: setting.servername } : {}),
  };
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Node ignores a CA file it cannot parse (every server would then fail verification); say so at start-up instead. */
function certificateProblems(pem: Buffer): string[] {
  const blocks = pem.toString("utf8").match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) return ["holds no PEM certificate (-----BEGIN CERTIFICATE-----)"];
  return blocks.flatMap((block, i) => {
    try {
      new X509Certificate(block);
      return [];
    } catch (error) {
      return [`certificate ${i + 1} is not valid: ${(error as Error).message}`];
    }
  });
}

function clientIdentityProblems(cert: Buffer, key: Buffer): { file: FileKey; message: string }[] {
  const certProblems = certificateProblems(cert).map((message) => ({ file: "cert_file" as const, message }));
  try {
    createPrivateKey(key);
  } catch (error) {
    return [...certProblems, { file: "key_file", message: `is not a PEM private key: ${(error as Error).message}` }];
  }
  if (certProblems.length > 0) return certProblems;
  try {
    createSecureContext({ cert, key });
    return [];
  } catch (error) {
    return [{ file: "key_file", message: `does not match cert_file: ${(error as Error).message}` }];
  }
}
