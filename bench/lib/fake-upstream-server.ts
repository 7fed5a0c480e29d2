/**
 * Runs the test suite's fake OpenAI upstream in a process of its own for the benchmarks, without
 * request records (no memory growth). Writes its URL to the file named by the first argument.
 *
 *   node --import tsx bench/lib/fake-upstream-server.ts <url-file>
 */
import { writeFile } from "node:fs/promises";
import { startFakeOpenAI } from "../../test/support/fake-openai.js";

const urlFile = process.argv[2];
if (!urlFile) {
  process.stderr.write("usage: fake-upstream-server.ts <url-file>\n");
  process.exit(2);
}
const fake = await startFakeOpenAI({ record: false });
await writeFile(urlFile, fake.url);
process.once("SIGTERM", () => void fake.close().then(() => process.exit(0)));
