/**
 * A default the docs state is what a deployment that leaves the setting out runs with. The defaults in
 * README's configuration table and its llama_cpp provider settings, and docs/CONTEXT.md's settings
 * table, are read from the docs and compared with what the gateway's own configuration parsing gives for an empty environment.
 */
import { describe, expect, it } from "vitest";
import { EnvSchema } from "../../src/config/env.js";
import { LlamaCppProviderSchema } from "../../src/config/models-schema.js";
import { resolveContextConfig } from "../../src/context/config.js";
import { readDoc } from "../support/docs-text.js";

/** `4 MiB` → 4194304, `` `8080` `` → 8080, `86400 (24 h)` → 86400, `` `switchyard:` `` → "switchyard:"; else undefined. */
function documentedValue(cell: string): number | string | undefined {
  const text = cell.trim();
  const size = /^(\d+) (KiB|MiB)\b/.exec(text);
  if (size) return Number(size[1]) * (size[2] === "KiB" ? 1024 : 1024 * 1024);
  const number = /^`?(\d+)`?(?:\s|$)/.exec(text);
  if (number) return Number(number[1]);
  const code = /^`([^`]+)`$/.exec(text);
  return code ? code[1] : undefined;
}

/** Table rows of a markdown document as cells, the leading and trailing pipes dropped. */
function rows(doc: string): string[][] {
  return readDoc(doc)
    .split("\n")
    .filter((line) => line.startsWith("| "))
    .map((line) => line.slice(2, line.endsWith(" |") ? -2 : undefined).split(" | "));
}

describe("defaults in the docs", () => {
  it("README's environment variables default to what the gateway parses for an unset variable", () => {
    const defaults = EnvSchema.parse({}) as Record<string, unknown>;
    const compared: string[] = [];
    const wrong: string[] = [];
    for (const [names, documented] of rows("README.md")) {
      const vars = [...(names ?? "").matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!).filter((name) => name in EnvSchema.shape);
      const values = (documented ?? "").split(/,\s*/);
      if (vars.length === 0 || values.length !== vars.length) continue;
      vars.forEach((name, i) => {
        const value = documentedValue(values[i]!);
        // Folders the schema leaves unset default to the package's own (classifiers/default), resolved later.
        if (value === undefined || defaults[name] === undefined) return;
        compared.push(name);
        if (value !== defaults[name]) wrong.push(`${name}: README says ${value}, the gateway uses ${String(defaults[name])}`);
      });
    }
    expect(compared.length).toBeGreaterThanOrEqual(8);
    expect(wrong).toEqual([]);
  });

  it("README's llama_cpp provider settings default to what models.yaml's parser gives", () => {
    const readme = readDoc("README.md");
    const start = readme.indexOf("A `llama_cpp` provider takes");
    const paragraph = readme.slice(start, readme.indexOf("\n\n", start));
    const documented = Object.fromEntries([...paragraph.matchAll(/`([a-z_]+)`\s\([^)]*?default (\d+)/g)].map((m) => [m[1]!, Number(m[2])]));
    const parsed = LlamaCppProviderSchema.parse({ type: "llama_cpp" });
    expect(Object.keys(documented)).toEqual(["parallel", "queue", "queue_timeout_ms", "top_k"]);
    expect(documented).toEqual({ parallel: parsed.parallel, queue: parsed.queue, queue_timeout_ms: parsed.queue_timeout_ms, top_k: parsed.top_k });
  });

  it("docs/CONTEXT.md's settings default to what the context store is configured with", () => {
    const config = resolveContextConfig({});
    const actual: Record<string, number | string> = {
      ttl_seconds: config.limits.ttlMs / 1000,
      max_turns: config.limits.maxTurns,
      max_bytes: config.limits.maxBytes,
      timeout_ms: config.timeoutMs,
      memory_max_sessions: config.memoryMaxSessions,
      memory_max_bytes: config.memoryMaxBytes,
      key_prefix: config.keyPrefix,
      usage_key_prefix: config.usageKeyPrefix,
    };
    const table = rows("docs/CONTEXT.md").filter((cells) => cells.length === 4 && /^`[a-z_]+`$/.test(cells[2]!.trim()));
    const documented = Object.fromEntries(table.map((cells) => [cells[2]!.trim().slice(1, -1), documentedValue(cells[3]!)]));
    expect(documented).toEqual(actual);
  });
});
