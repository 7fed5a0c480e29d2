/**
 * Checksum and structure validators. Built-in recognizers use them, and policy custom recognizers may
 * name one of them (`validator: luhn`), which is why they are a fixed, named table.
 */
import { isIP } from "node:net";
import { sha256 } from "@noble/hashes/sha2.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { bech32, bech32m, createBase58check } from "@scure/base";
import { electronicFormatIBAN, isValidIBAN } from "ibantools";
import { phoneValidator } from "./phone/index.js";

export { phoneValidator };

const base58check = createBase58check(sha256);
const textEncoder = new TextEncoder();

export function luhn(candidate: string): boolean {
  let sum = 0;
  let digits = 0;
  for (let i = candidate.length - 1; i >= 0; i--) {
    const code = candidate.charCodeAt(i) - 48;
    if (code < 0 || code > 9) continue;
    const doubled = digits % 2 === 1 ? code * 2 : code;
    sum += doubled > 9 ? doubled - 9 : doubled;
    digits++;
  }
  return digits >= 2 && sum % 10 === 0;
}

export function iban(candidate: string): boolean {
  const electronic = electronicFormatIBAN(candidate);
  return electronic !== null && isValidIBAN(electronic);
}

/** Area 001-899 except 666, group 01-99, serial 0001-9999, and not a well-known advertising number. */
export function usSsn(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, "");
  if (digits.length !== 9) return false;
  const area = Number(digits.slice(0, 3));
  const group = Number(digits.slice(3, 5));
  const serial = Number(digits.slice(5));
  if (area === 0 || area === 666 || area >= 900 || group === 0 || serial === 0) return false;
  return !SAMPLE_SSNS.has(digits) && !/^(\d)\1{8}$/.test(digits);
}
// Printed on sample cards and in textbooks; real text containing them is almost never a person's SSN.
const SAMPLE_SSNS = new Set(["078051120", "219099999", "123456789"]);

export function ipAddress(candidate: string): boolean {
  return isIP(candidate) !== 0;
}

/** Bitcoin P2PKH/P2SH (base58check) and SegWit (bech32/bech32m) addresses, Ethereum with EIP-55 checksum. */
export function cryptoAddress(candidate: string): boolean {
  if (candidate.startsWith("0x")) return ethereumAddress(candidate) !== "invalid";
  if (/^bc1/i.test(candidate)) return segwitAddress(candidate);
  return base58Address(candidate);
}

function base58Address(candidate: string): boolean {
  try {
    const payload = base58check.decode(candidate);
    return payload.length === 21 && (payload[0] === 0x00 || payload[0] === 0x05);
  } catch {
    // A decode failure is the answer ("not an address"), not an error to report.
    return false;
  }
}

function segwitAddress(candidate: string): boolean {
  if (candidate !== candidate.toLowerCase() && candidate !== candidate.toUpperCase()) return false;
  const address = candidate.toLowerCase() as `${string}1${string}`;
  for (const coder of [bech32, bech32m]) {
    const decoded = coder.decodeUnsafe(address, 90);
    if (decoded && decoded.prefix === "bc" && decoded.words.length > 0) {
      const version = decoded.words[0];
      // BIP-350: version 0 uses bech32, versions 1-16 use bech32m.
      if ((version === 0) === (coder === bech32)) return true;
    }
  }
  return false;
}

/**
 * "checksummed" when mixed case matches EIP-55, "unchecked" for single-case addresses (which carry no
 * checksum), "invalid" for mixed case that fails the checksum.
 */
export function ethereumAddress(candidate: string): "checksummed" | "unchecked" | "invalid" {
  if (!/^0x[0-9a-fA-F]{40}$/.test(candidate)) return "invalid";
  const hex = candidate.slice(2);
  const lower = hex.toLowerCase();
  if (hex === lower || hex === hex.toUpperCase()) return "unchecked";
  const hash = keccak_256(textEncoder.encode(lower));
  for (let i = 0; i < 40; i++) {
    const byte = hash[i >> 1] ?? 0;
    const nibble = i % 2 === 0 ? byte >> 4 : byte & 0x0f;
    const char = hex[i] ?? "";
    if (char >= "a" && char <= "f" && nibble >= 8) return "invalid";
    if (char >= "A" && char <= "F" && nibble < 8) return "invalid";
  }
  return "checksummed";
}

/** The validators a policy's custom recognizer may name. */
export const VALIDATORS = {
  luhn,
  iban,
  us_ssn: usSsn,
  ip_address: ipAddress,
  crypto: cryptoAddress,
  phone: phoneValidator(["US"]),
} as const satisfies Record<string, (candidate: string) => boolean>;
export type ValidatorName = keyof typeof VALIDATORS;
