/**
 * Readers for the public intent datasets in `../shared/data` (read in place, never copied into the
 * repository): Banking77, HWU64 (fold 1) and SNIPS (2017 custom intent engines).
 */
import { readFile, readdir } from "node:fs/promises";
import { basename, join } from "node:path";
import type { LabelledExample } from "../data/training-data.js";
import { parseCsv } from "../data/csv.js";

export interface PublicDataset {
  name: string;
  train: LabelledExample[];
  test: LabelledExample[];
}

async function banking77(root: string): Promise<PublicDataset> {
  const read = async (file: string) =>
    parseCsv(await readFile(join(root, "banking77", file), "utf8"))
      .slice(1)
      .map(({ fields }) => ({ text: fields[0] as string, label: fields[1] as string }));
  return { name: "Banking77", train: await read("train.csv"), test: await read("test.csv") };
}

async function hwu64(root: string): Promise<PublicDataset> {
  const read = async (split: string) => {
    const dir = join(root, "hwu64", "kfold1", split);
    const examples: LabelledExample[] = [];
    for (const file of (await readdir(dir)).filter((name) => name.endsWith(".csv")).sort()) {
      const [header, ...rows] = parseCsv(await readFile(join(dir, file), "utf8"), ";");
      const scenario = header?.fields.indexOf("scenario") ?? -1;
      const intent = header?.fields.indexOf("intent") ?? -1;
      const text = header?.fields.indexOf("answer_from_anno") ?? -1;
      for (const { fields } of rows) {
        const utterance = fields[text]?.trim();
        if (utterance) examples.push({ text: utterance, label: `${fields[scenario]}_${fields[intent]}` });
      }
    }
    return examples;
  };
  return { name: "HWU64 (fold 1)", train: await read("train"), test: await read("test") };
}

/** SNIPS files are UTF-8 except for a few Latin-1 bytes in one file. */
function decodeText(bytes: Buffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return bytes.toString("latin1");
  }
}

async function snips(root: string): Promise<PublicDataset> {
  const dir = join(root, "snips", "2017-06-custom-intent-engines");
  const intents = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const read = async (prefix: string, suffix: string) => {
    const examples: LabelledExample[] = [];
    for (const intent of intents) {
      const file = join(dir, intent, `${prefix}${intent}${suffix}.json`);
      const parsed = JSON.parse(decodeText(await readFile(file))) as Record<string, { data: { text: string }[] }[]>;
      for (const query of parsed[intent] ?? []) {
        examples.push({ text: query.data.map((span) => span.text).join("").trim(), label: intent });
      }
    }
    return examples.filter((e) => e.text !== "");
  };
  return { name: `SNIPS (${basename(dir)})`, train: await read("train_", "_full"), test: await read("validate_", "") };
}

export const publicDatasets = { banking77, hwu64, snips } as const;
export type PublicDatasetName = keyof typeof publicDatasets;
