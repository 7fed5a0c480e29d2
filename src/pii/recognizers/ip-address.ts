import { isIPv6 } from "node:net";
import { contextMatcher } from "../context.js";
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

// Loopback (127.0.0.0/8) and addresses ending in .0.0 (0.0.0.0, the network address of a /16 or larger) name no
// host a person could sit behind. Major.Minor.0.0 is also how .NET writes assembly versions (8.0.0.0, 13.0.0.0).
const NO_HOST = /^(?:127\.|\d+\.\d+\.0+\.0+$)/;

const context = {
  positive: ["ip", "ip address", "address", "host", "server", "client", "src", "dst", "remote", "addr", "login", "connected", "blocked", "firewall"],
  negative: ["version", "ver", "v", "release", "build", "firmware", "sdk", "package", "upgrade", "upgraded", "patch", "changelog"],
  // .NET and package manifests name their four-part versions in identifiers (AssemblyVersion, newVersion).
  negativeIdentifierTails: ["version"],
};

/** IP_ADDRESS v4. A dotted quad is also how versions look, hence the negative context. */
export const ipv4Recognizer = () =>
  patternRecognizer({ name: "ipv4", type: "IP_ADDRESS", regex: IPV4, evaluate: (m) => (NO_HOST.test(m[0]) ? null : whole(m, 0.6)), context });

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
