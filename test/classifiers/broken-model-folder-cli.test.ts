/**
 * `classifier predict --model` on a trained model folder with a file broken or gone: exit 1 and one
 * line naming the folder and the file, from the real CLI process. Before, a config.json that was not
 * JSON said only "Expected property name or '}' in JSON at position 1", and a missing file said
 * transformers.js's "`local_files_only=true` or `env.allowRemoteModels=false` and file was not found".
 */
import { cp, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runCliProcess } from "../support/cli-process.js";
import { useTempDir } from "./fixtures.js";

const DEFAULT_MODEL = resolve(import.meta.dirname, "../../classifiers/default");

const dir = useTempDir("switchyard-broken-model-");

async function brokenCopy(name: string, breakIt: (folder: string) => Promise<void>): Promise<string> {
  const folder = join(dir(), name);
  await cp(DEFAULT_MODEL, folder, { recursive: true });
  await breakIt(folder);
  return folder;
}

describe("classifier predict on a broken model folder", { timeout: 60_000 }, () => {
  it("a config.json that is not JSON is named", async () => {
    const model = await brokenCopy("bad-config", (folder) => writeFile(join(folder, "config.json"), "{oops\n"));
    const result = await runCliProcess(["classifier", "predict", "--model", model], { stdin: '{"text":"hi"}\n' });
    expect(result.stdout).toBe("");
    // V8's own wording varies by Node.js version (newer ones append "(line 1 column 2)"): only the gateway's part is pinned.
    expect(result.stderr).toMatch(new RegExp(`^classifier predict: ${model}: invalid config\\.json: not JSON \\(.+\\)\\n$`));
    expect(result.code).toBe(1);
  });

  it("a tokenizer.json that is not JSON is named", async () => {
    const model = await brokenCopy("bad-tokenizer", (folder) => writeFile(join(folder, "tokenizer.json"), "{oops\n"));
    const result = await runCliProcess(["classifier", "predict", "--model", model], { stdin: '{"text":"hi"}\n' });
    expect(result.stderr).toMatch(new RegExp(`^classifier predict: ${model}: invalid tokenizer\\.json: not JSON \\(.+\\)\\n$`));
    expect(result.code).toBe(1);
  });

  // switchyard.json is read by the gateway's own loader, the others by transformers.js: both alike.
  it.each(["config.json", "switchyard.json"])("a %s that is not JSON is named on one line, though V8 quotes its lines", async (file) => {
    const model = await brokenCopy(`two-line-${file}`, (folder) => writeFile(join(folder, file), "nope\nat all\n"));
    const result = await runCliProcess(["classifier", "predict", "--model", model], { stdin: '{"text":"hi"}\n' });
    expect(result.stderr).toMatch(new RegExp(`^classifier predict: ${model}: invalid ${file.replace(".", "\\.")}: not JSON \\([^\\n]*\\)\\n$`));
    expect(result.code).toBe(1);
  });

  it.each(["config.json", "switchyard.json"])("a %s with a UTF-8 BOM (Notepad, PowerShell) loads, as transformers.js reads it", async (file) => {
    const model = await brokenCopy(`bom-${file}`, async (folder) => {
      const json = await readFile(join(folder, file));
      await writeFile(join(folder, file), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json]));
    });
    const result = await runCliProcess(["classifier", "predict", "--model", model], { stdin: '{"text":"hi"}\n' });
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/"intent"/);
    expect(result.code).toBe(0);
  });

  it("a missing switchyard.json is named as missing, also beside a config.json with a UTF-8 BOM", async () => {
    const model = await brokenCopy("bom-config-no-metadata", async (folder) => {
      const json = await readFile(join(folder, "config.json"));
      await writeFile(join(folder, "config.json"), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json]));
      await rm(join(folder, "switchyard.json"));
    });
    const result = await runCliProcess(["classifier", "predict", "--model", model], { stdin: '{"text":"hi"}\n' });
    expect(result.stderr).toMatch(new RegExp(`^classifier predict: ${model}: switchyard\\.json is missing`));
    expect(result.code).toBe(1);
  });

  it("a missing ONNX graph or tokenizer is named as missing", async () => {
    const noGraph = await brokenCopy("no-graph", (folder) => rm(join(folder, "onnx", "model.onnx")));
    const graph = await runCliProcess(["classifier", "predict", "--model", noGraph], { stdin: '{"text":"hi"}\n' });
    expect(graph.stderr).toMatch(new RegExp(`^classifier predict: ${noGraph}: incomplete model folder: missing onnx/model\\.onnx.*\\n$`));
    expect(graph.code).toBe(1);
    const noTokenizer = await brokenCopy("no-tokenizer", (folder) => rm(join(folder, "tokenizer.json")));
    const tokenizer = await runCliProcess(["classifier", "predict", "--model", noTokenizer], { stdin: '{"text":"hi"}\n' });
    expect(tokenizer.stderr).toBe(`classifier predict: ${noTokenizer}: incomplete model folder: missing tokenizer.json; retrain it or restore the files\n`);
    expect(tokenizer.code).toBe(1);
  });
});
