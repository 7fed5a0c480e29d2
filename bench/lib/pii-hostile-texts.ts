/**
 * Large texts that make the PII engine's readings of person fields and table columns work hardest
 * (name-fields.ts, name-columns.ts): every line a person's key or a table header, ragged CSV rows, a
 * Spanish customer export. A review measured 90–100 ms of CPU a megabyte on such texts, close to the
 * scan's 250 ms budget, past which a request fails closed. Shared by `npm run bench -- pii` and the
 * test that keeps their cost near an ordinary text's (test/pii/person-field-readings-cost.test.ts).
 */

/** `unit` repeated to exactly `length` characters. */
function fill(unit: string, length: number): string {
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

/** A small deterministic generator, so every run scans the same text. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

const GIVEN = ["María", "José", "Lucía", "Javier", "Carmen", "Andrés", "Sofía", "Diego", "Elena", "Pablo", "Marta", "Álvaro"];
const SURNAMES = ["García", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Ruiz", "Díaz", "Moreno", "Muñoz", "Álvarez"];
const CITIES = ["Madrid", "Sevilla", "Valencia", "Bilbao", "Zaragoza", "Málaga"];

/** Prose of a support conversation: no keys, no tables, a name or an address now and then. */
const PROSE = [
  "Thanks for getting back to me so quickly about the invoice from last month.",
  "The shipment left the warehouse on Tuesday and should arrive before the weekend, weather permitting.",
  "Could you summarise the attached notes in three bullet points for the steering meeting?",
  "Maria Gonzalez asked whether the discount applies to renewals as well as new subscriptions.",
  "We moved the office to 42 Elm Street, Springfield, so please update the letterhead.",
  "Our build failed twice overnight: the integration tests timed out while the database was migrating.",
  "Write a friendly reminder that the survey closes on Friday and that every answer helps the team.",
  "The quarterly numbers look better than expected, mostly thanks to the new pricing for small teams.",
];

/** An ordinary text of `length` characters: paragraphs of prose. */
export function ordinaryText(length: number): string {
  const random = seeded(7);
  let text = "";
  while (text.length < length) {
    const sentences = 3 + Math.floor(random() * 4);
    for (let i = 0; i < sentences; i++) text += `${PROSE[Math.floor(random() * PROSE.length)]} `;
    text += "\n\n";
  }
  return text.slice(0, length);
}

/** A key with nothing after it (`last_name: `) over and over on one line: every key reads the next as its value. */
export function keyDenseText(length: number): string {
  return fill("last_name: ", length);
}

/** A key with a value no name rule takes on every line (`last_name: x`), as a log or a broken template writes it. */
export function keyDenseLines(length: number): string {
  return fill("last_name: x\n", length);
}

/** A table's header line over and over, with no row under any: every line is read as a header. */
export function repeatedHeaderText(length: number): string {
  return fill("first_name,last_name,email,phone,city\n", length);
}

/** A CSV of people whose rows have any number of cells, as hand edits and broken exports leave them. */
export function raggedCsvText(length: number): string {
  const random = seeded(11);
  let text = "id,first_name,last_name,email,city\n";
  for (let id = 1; text.length < length; id++) {
    const given = GIVEN[id % GIVEN.length]!;
    const surname = SURNAMES[(id * 7) % SURNAMES.length]!;
    const cells = [String(id), given, surname, `${given.toLowerCase()}${id}@example.com`, CITIES[id % CITIES.length]!];
    // Two cells or more: a ragged row goes on with the table (name-columns.ts), so every row is read.
    const width = 2 + Math.floor(random() * 7);
    while (cells.length < width) cells.push(random() < 0.5 ? "" : "x");
    text += `${cells.slice(0, width).join(",")}\n`;
  }
  const cut = text.slice(0, length);
  return cut.slice(0, cut.lastIndexOf("\n") + 1);
}

/** A pretty-printed Spanish CRM export of customer records ("nombre", "apellido", "cliente", …), about `length` characters. */
export function spanishJsonExport(length: number): string {
  const records: string[] = [];
  let size = 2;
  for (let id = 1; size < length; id++) {
    const nombre = GIVEN[id % GIVEN.length]!;
    const apellido = SURNAMES[(id * 5) % SURNAMES.length]!;
    const record = [
      "  {",
      `    "id": ${id},`,
      `    "cliente": "CLI-${String(100000 + id)}",`,
      `    "nombre": "${nombre}",`,
      `    "apellido": "${apellido}",`,
      `    "segundo_apellido": "${SURNAMES[(id * 3) % SURNAMES.length]}",`,
      `    "nombre_completo": "${nombre} ${apellido}",`,
      `    "ciudad": "${CITIES[id % CITIES.length]}",`,
      `    "producto": { "nombre": "Plan ${["Básico", "Pro", "Empresa"][id % 3]}", "precio": ${(9.99 + (id % 5) * 10).toFixed(2)} },`,
      `    "estado": "${id % 4 === 0 ? "inactivo" : "activo"}",`,
      `    "notas": "Cliente desde ${2010 + (id % 14)}; prefiere contacto por la tarde."`,
      "  }",
    ].join("\n");
    records.push(record);
    size += record.length + 2;
  }
  return `[\n${records.join(",\n")}\n]\n`;
}

/** The longest text the shipped policy scans (`scan.max_text_chars`): "1 MB" here. */
export const MEGABYTE = 1_000_000;

/** The hostile shapes and an ordinary text of the same size, by name. */
export function hostileTexts(megabyte = MEGABYTE): [string, string][] {
  return [
    ["ordinary prose, 1 MB", ordinaryText(megabyte)],
    ["`last_name: ` repeated on one line, 1 MB", keyDenseText(megabyte)],
    ["`last_name: x` lines, 1 MB", keyDenseLines(megabyte)],
    ["a header line repeated, 1 MB", repeatedHeaderText(megabyte)],
    ["ragged CSV of people, 1 MB", raggedCsvText(megabyte)],
    ["Spanish JSON export, 900 KB", spanishJsonExport(900 * 1024)],
  ];
}
