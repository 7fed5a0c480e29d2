import { isIPv6 } from "node:net";
import { contextMatcher, nearby } from "../context.js";
import { forEachHexRun } from "./hex-runs.js";
import { patternRecognizer, whole } from "./pattern.js";
import type { Recognizer } from "./recognizer.js";

const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
// Logs and spreadsheets pad every octet to three digits (192.168.001.024). Only the whole quad padded:
// versions such as 1.02.03.04 pad some parts, and stay out.
const PADDED_OCTET = "(?:25[0-5]|2[0-4]\\d|[01]\\d\\d)";
const IPV4 = new RegExp(
  `(?<![\\d.])(?:${OCTET}(?:\\.${OCTET}){3}|${PADDED_OCTET}(?:\\.${PADDED_OCTET}){3})(?!\\d|\\.\\d)`,
  "g",
);

// Loopback (127.0.0.0/8), 0.0.0.0 and netmasks (255.x.x.x, in the reserved 240.0.0.0/4) name no host a person
// could sit behind.
const NO_HOST = /^(?:127\.|255\.|0+\.0+\.0+\.0+$)/;
// Major.Minor.0.0 is how .NET writes assembly versions (8.0.0.0, 13.0.0.0) and browsers their own (Chrome/120.0.0.0),
// but 10.5.0.0 in an access log is a host in a /8: such a quad is a version only next to version text.
const MAJOR_MINOR = /^\d+\.\d+\.0+\.0+$/;
const VERSION_TEXT = /(?:version|assembly|release|build|sdk|package|nuget|runtime|framework|upgrade|conflicts?|\p{Lu}\p{Ll}+\.\p{Lu})/iu;
const GLUED_TO_NAME = /[/\-="]$/;
const VERSION_BEFORE = 48;
const VERSION_AFTER = 24;

function isVersionShaped(text: string, start: number, end: number): boolean {
  return GLUED_TO_NAME.test(text.slice(Math.max(0, start - VERSION_BEFORE), start)) || nearby(VERSION_TEXT, text, start, end, VERSION_BEFORE, VERSION_AFTER);
}

// A network (10.0.0.0/16, 10.0.1.0/24: every host bit zero before a prefix length) names a range of hosts, not one.
// Host routes such as 10.1.20.30/32 keep their host bits and stay found.
const PREFIX_LENGTH = /^\/(\d{1,2})(?!\d)/;
function isNetworkBeforePrefix(quad: string, after: string): boolean {
  const prefix = PREFIX_LENGTH.exec(after);
  if (!prefix || Number(prefix[1]) > 32) return false;
  const bits = Number(prefix[1]);
  const value = quad.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
  return bits < 32 && value % 2 ** (32 - bits) === 0;
}

// A x.y.0.0 quad in a route table or interface config is a network written without its prefix
// ("network 10.1.0.0 netmask 255.255.0.0", "ip route add 10.8.0.0 via ..."); alone in a log line it is a host.
const NETWORK_WORDS = /\b(?:netmask|subnet|cidr|route|network|via)\b/i;
const NETWORK_WORDS_BEFORE = 24;
const NETWORK_WORDS_AFTER = 16;
function isNetworkNearNetworkWords(text: string, start: number, end: number): boolean {
  return nearby(NETWORK_WORDS, text, start, end, NETWORK_WORDS_BEFORE, NETWORK_WORDS_AFTER);
}

// "from" right before an address names the client a request came from ("Patch request from 203.0.113.7"), however
// many version words are around; after "upgrade(d)" it is the version left behind ("upgraded from 2.9.8.3").
const CLIENT_FROM = /(?<!\b(?:upgrade|upgraded|upgrading|update|updated|updating|downgrade|downgraded|migrate|migrated|migrating)\s+)\bfrom\s+$/i;
const SCORE = { address: 0.6, clientAfterFrom: 0.95 };

function evaluateIPv4(match: RegExpExecArray, text: string) {
  const start = match.index;
  const end = start + match[0].length;
  if (NO_HOST.test(match[0]) || isNetworkBeforePrefix(match[0], text.slice(end, end + 3))) return null;
  if (MAJOR_MINOR.test(match[0]) && (isVersionShaped(text, start, end) || isNetworkNearNetworkWords(text, start, end))) return null;
  return whole(match, CLIENT_FROM.test(text.slice(Math.max(0, start - 24), start)) ? SCORE.clientAfterFrom : SCORE.address);
}

const context = {
  positive: ["ip", "ip address", "address", "host", "server", "client", "src", "dst", "remote", "addr", "login", "connected", "blocked", "firewall"],
  negative: ["version", "ver", "v", "release", "build", "firmware", "sdk", "package", "upgrade", "upgraded", "patch", "changelog"],
  // .NET and package manifests name their four-part versions in identifiers (AssemblyVersion, newVersion).
  negativeIdentifierTails: ["version"],
};

/** IP_ADDRESS v4. A dotted quad is also how versions look, hence the negative context. */
export const ipv4Recognizer = () =>
  patternRecognizer({ name: "ipv4", type: "IP_ADDRESS", regex: IPV4, evaluate: evaluateIPv4, context });

/**
 * IP_ADDRESS v6: runs of hex digits, colons and dots around a colon, decided by `net.isIPv6` (times such
 * as 10:30:00 and MAC addresses fail it). Short forms such as `::1` carry too little to be personal data.
 */
export function ipv6Recognizer(): Recognizer {
  const v6Context = contextMatcher(context);
  return {
    name: "ipv6",
    scan(text, out, deadline) {
      forEachHexRun(text, ":", ":.", deadline, (start, end) => {
        const candidate = text.slice(start, end);
        if (!isIPv6(candidate)) return;
        const groups = candidate.split(":").filter((g) => g.length > 0).length;
        const score = v6Context.adjust(text, start, end, groups >= 3 ? 0.6 : 0.3);
        if (score > 0) out.push({ type: "IP_ADDRESS", start, end, score });
      });
    },
  };
}
