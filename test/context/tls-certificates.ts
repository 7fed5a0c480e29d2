/**
 * Throwaway certificates for the TLS tests, made with the `openssl` command: a private CA that signs a
 * server certificate (for 127.0.0.1 and localhost, also fit for a cluster node) and a client
 * certificate, and an unrelated CA that signed neither.
 */
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);

export interface KeyPair {
  certFile: string;
  keyFile: string;
}

export interface TestCertificates {
  caFile: string;
  server: KeyPair;
  client: KeyPair;
  /** A CA that signed nothing here: trusting only it must refuse the server. */
  otherCaFile: string;
}


export async function createTestCertificates(dir: string): Promise<TestCertificates> {
  const ca = await selfSignedCa(dir, "ca", "Switchyard test CA");
  const otherCa = await selfSignedCa(dir, "other-ca", "Unrelated test CA");
  // clientAuth too: a cluster node presents it to its peers on the cluster bus, which always asks for
  // a client certificate (whatever tls-auth-clients says).
  const server = await signedBy(ca, dir, "server", "redis.test", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n");
  const client = await signedBy(ca, dir, "client", "switchyard", "extendedKeyUsage=clientAuth\n");
  return { caFile: ca.certFile, server, client, otherCaFile: otherCa.certFile };
}

// EC keys: generating RSA keys would cost a loaded 2-core machine noticeably more.
const NEW_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

async function selfSignedCa(dir: string, name: string, commonName: string): Promise<KeyPair> {
  const pair = files(dir, name);
  await openssl(["req", "-x509", ...NEW_KEY, "-keyout", pair.keyFile, "-out", pair.certFile, "-days", "1", "-subj", `/CN=${commonName}`]);
  return pair;
}

async function signedBy(ca: KeyPair, dir: string, name: string, commonName: string, extensions: string): Promise<KeyPair> {
  const pair = files(dir, name);
  const request = join(dir, `${name}.csr`);
  const extFile = join(dir, `${name}.ext`);
  await writeFile(extFile, extensions);
  await openssl(["req", ...NEW_KEY, "-keyout", pair.keyFile, "-out", request, "-subj", `/CN=${commonName}`]);
  await openssl(["x509", "-req", "-in", request, "-CA", ca.certFile, "-CAkey", ca.keyFile, "-CAcreateserial", "-out", pair.certFile, "-days", "1", "-extfile", extFile]);
  return pair;
}

const files = (dir: string, name: string): KeyPair => ({ certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`) });

async function openssl(args: readonly string[]): Promise<void> {
  await exec("openssl", args);
}
