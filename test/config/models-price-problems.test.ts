/**
 * A mistake in a model's `price` names the field to fix. As a plain union of the two price shapes
 * (per token, per hour), models.yaml reported a left-out `output_per_1m`, a quoted number or a
 * misspelt `usd_per_hour` as `models.<id>.price: Invalid input`, which says neither what nor where.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadGatewayConfig } from "../../src/config/load.js";
import { ConfigError } from "../../src/config/yaml-file.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "switchyard-price-"));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const modelsYaml = (price: string) => `providers:
  local: { type: llama_cpp }
  cloud: { type: openai_compatible, base_url: "https://api.example.com/v1", api_key_env: EXAMPLE_KEY }
models:
  slm: { provider: local, path: models/slm.gguf }
  big:
    provider: cloud
    price:
${price}
defaults: { local: slm, cloud: big }
`;

/** The problems of models.yaml with `price` as given, without the file name. */
async function problems(price: string): Promise<string[]> {
  await writeFile(join(dir, "models.yaml"), modelsYaml(price));
  const error = await loadGatewayConfig({ SWITCHYARD_POLICY_DIR: dir }, dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message.split("\n").map((line) => line.replace(`${dir}/models.yaml:`, ""));
}

const BOTH_SHAPES = "expected a price per token, { input_per_1m, output_per_1m } (USD per 1M tokens; cached_input_per_1m optional), or per hour, { usd_per_hour }";

describe("a model's price in models.yaml", () => {
  it("a per-token price without output_per_1m names output_per_1m", async () => {
    expect(await problems("      input_per_1m: 0.15")).toEqual(["9:7: models.big.price.output_per_1m: Invalid input: expected number, received undefined"]);
  });

  it("a quoted number names the field, at its line", async () => {
    expect(await problems('      input_per_1m: "0.15"\n      output_per_1m: 0.60')).toEqual([
      "9:21: models.big.price.input_per_1m: Invalid input: expected number, received string",
    ]);
  });

  it("a misspelt usd_per_hour, or a price that is no mapping, is told both shapes", async () => {
    expect(await problems("      usd_per_hr: 0.10")).toEqual([`9:7: models.big.price: ${BOTH_SHAPES}`]);
    expect(await problems("      - 0.10")).toEqual([`9:7: models.big.price: ${BOTH_SHAPES}`]);
  });

  it("an hourly price mixed with a per-token key names the stray key", async () => {
    expect(await problems("      usd_per_hour: 0.10\n      input_per_1m: 0.15")).toEqual(['10:7: models.big.price: Unrecognized key: "input_per_1m"']);
  });

  it("still reads both shapes, and still refuses a cached price above the input price", async () => {
    await writeFile(join(dir, "models.yaml"), modelsYaml("      input_per_1m: 0.15\n      cached_input_per_1m: 0.075\n      output_per_1m: 0.60"));
    expect((await loadGatewayConfig({ SWITCHYARD_POLICY_DIR: dir }, dir)).registry.get("big")?.price).toEqual({ input_per_1m: 0.15, cached_input_per_1m: 0.075, output_per_1m: 0.6 });
    await writeFile(join(dir, "models.yaml"), modelsYaml("      usd_per_hour: 0.10"));
    expect((await loadGatewayConfig({ SWITCHYARD_POLICY_DIR: dir }, dir)).registry.get("big")?.price).toEqual({ usd_per_hour: 0.1 });
    expect(await problems("      input_per_1m: 0.15\n      cached_input_per_1m: 0.75\n      output_per_1m: 0.60")).toEqual([
      "10:28: models.big.price.cached_input_per_1m: 0.75 is above input_per_1m (0.15); cached prompt tokens are billed at most at the input price",
    ]);
  });
});
