/**
 * `npm run bench -- <name> [args…]` runs `bench/<name>.ts`, whose `main(args)` prints a report.
 */
const [name, ...args] = process.argv.slice(2);
const known = ["overhead", "local", "classifier", "policy", "reload", "pii", "context", "soak"];
if (!name || !known.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <${known.join("|")}> [options]\n`);
  process.exit(2);
}
const module = (await import(`./${name}.ts`)) as { main(args: string[]): Promise<void> };
await module.main(args);
