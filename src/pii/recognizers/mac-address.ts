import { contextMatcher } from "../context.js";
import { forEachHexRun } from "./hex-runs.js";
import type { Recognizer } from "./recognizer.js";

// 01:23:45:67:89:ab, 01-23-45-67-89-AB (one separator throughout) and Cisco's 0123.4567.89ab.
const MAC = /^(?:[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})$/;

export function macAddressRecognizer(): Recognizer {
  const context = contextMatcher({ positive: ["mac", "hwaddr", "ether", "ethernet", "bssid", "device", "wifi", "nic", "adapter"] });
  return {
    name: "mac_address",
    scan(text, out, deadline) {
      for (const separator of [":", "-", "."]) {
        forEachHexRun(text, separator, separator, deadline, (start, end) => {
          if (end - start !== 17 && end - start !== 14) return;
          const candidate = text.slice(start, end);
          if (!MAC.test(candidate) || /^[0:.-]+$/.test(candidate)) return;
          out.push({ type: "MAC_ADDRESS", start, end, score: context.adjust(text, start, end, 0.6) });
        });
      }
    },
  };
}
