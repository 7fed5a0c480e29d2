/**
 * The shared test models have no chat template, so the in-process route would never take its
 * chat-template path with them. This writes a copy of a GGUF with `tokenizer.chat_template` added
 * (ChatML unless told otherwise) into a fresh temp folder; the weights are copied unchanged.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

export interface TemplatedModel {
  path: string;
  remove(): Promise<void>;
}

/** Bytes of each fixed-size GGUF value type (GGUF spec: uint8 … float64). */
const FIXED_VALUE_BYTES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const GGUF_STRING = 8;
const GGUF_ARRAY = 9;
const GGUF_UINT32 = 4;

/**
 * @example
 * const model = await withChatTemplate(STORIES_MODEL);
 * const gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL, localPath: model.path }) });
 */
export async function withChatTemplate(source: string, template = CHATML_TEMPLATE): Promise<TemplatedModel> {
  const file = await readFile(source);
  if (file.toString("ascii", 0, 4) !== "GGUF") throw new Error(`${source} is not a GGUF file`);
  let at = 8; // magic and version
  const u32 = () => (at += 4, file.readUInt32LE(at - 4));
  const u64 = () => (at += 8, Number(file.readBigUInt64LE(at - 8)));
  const skipString = () => {
    const length = u64();
    at += length;
  };
  const tensorCount = u64();
  const kvCountAt = at;
  const kvCount = u64();
  let alignment = 32;
  const skipValue = (type: number): void => {
    if (type === GGUF_STRING) skipString();
    else if (type === GGUF_ARRAY) {
      const itemType = u32();
      for (let i = u64(); i > 0; i--) skipValue(itemType);
    } else at += FIXED_VALUE_BYTES[type]!;
  };
  for (let i = 0; i < kvCount; i++) {
    const keyLength = u64();
    const key = file.toString("utf8", at, at + keyLength);
    at += keyLength;
    const type = u32();
    if (key === "general.alignment" && type === GGUF_UINT32) alignment = file.readUInt32LE(at);
    skipValue(type);
  }
  const kvEnd = at;
  for (let i = 0; i < tensorCount; i++) {
    skipString();
    const dimensions = u32();
    at += 8 * dimensions + 4 + 8; // dimensions, type, offset
  }
  const infoEnd = at;
  const dataStart = Math.ceil(infoEnd / alignment) * alignment;

  const key = Buffer.from("tokenizer.chat_template");
  const value = Buffer.from(template);
  const entry = Buffer.alloc(8 + key.length + 4 + 8 + value.length);
  let p = entry.writeBigUInt64LE(BigInt(key.length), 0);
  p += key.copy(entry, p);
  p = entry.writeUInt32LE(GGUF_STRING, p);
  p = entry.writeBigUInt64LE(BigInt(value.length), p);
  value.copy(entry, p);
  const head = Buffer.from(file.subarray(0, kvEnd));
  head.writeBigUInt64LE(BigInt(kvCount + 1), kvCountAt);
  const infos = file.subarray(kvEnd, infoEnd);
  const metadataLength = head.length + entry.length + infos.length;
  const padding = Buffer.alloc(Math.ceil(metadataLength / alignment) * alignment - metadataLength);

  const dir = await mkdtemp(join(tmpdir(), "switchyard-chat-template-"));
  const path = join(dir, "model.gguf");
  await writeFile(path, Buffer.concat([head, entry, infos, padding, file.subarray(dataStart)]));
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}
