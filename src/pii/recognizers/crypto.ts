import { cryptoAddress, ethereumAddress } from "../validators.js";
import { patternRecognizer, whole } from "./pattern.js";

// Bitcoin base58 (P2PKH 1…, P2SH 3…), Bitcoin bech32 (bc1…, one case), Ethereum (0x + 40 hex).
const CANDIDATE =
  /(?<![\w])(?:[13][1-9A-HJ-NP-Za-km-z]{25,34}|bc1[02-9ac-hj-np-z]{11,71}|BC1[02-9AC-HJ-NP-Z]{11,71}|0x[0-9a-fA-F]{40})(?![\w])/g;

/**
 * CRYPTO wallet addresses, kept only when their checksum holds. A single-case Ethereum address has no
 * checksum, so it needs context ("wallet", "send to") to pass a default threshold.
 */
export const cryptoRecognizer = () =>
  patternRecognizer({
    name: "crypto",
    type: "CRYPTO",
    regex: CANDIDATE,
    evaluate(match) {
      const candidate = match[0];
      if (candidate.startsWith("0x")) {
        const status = ethereumAddress(candidate);
        return status === "invalid" ? null : whole(match, status === "checksummed" ? 1 : 0.4);
      }
      return cryptoAddress(candidate) ? whole(match, 1) : null;
    },
    context: { positive: ["wallet", "bitcoin", "btc", "eth", "ethereum", "address", "send", "crypto", "usdt", "deposit", "metamask"] },
  });
