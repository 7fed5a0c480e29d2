/**
 * RFC 4180 CSV records (quoted fields may hold delimiters, doubled quotes and newlines), each with the
 * 1-based line it starts on so data errors can point at it.
 */
export interface CsvRecord {
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  override name = "CsvSyntaxError";
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

const isBlank = (char: string) => char === " " || char === "\t";

/**
 * A field is quoted when its first character other than spaces is a quote: hand-written files put a
 * space after the comma (`"hi", "greet"`). Elsewhere a quote is an error, since guessing what a
 * stray one meant would train on text nobody wrote.
 */
export function parseCsv(text: string, delimiter = ","): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let recordLine = 1;
  let inQuotes = false;
  /** The field's closing quote was read: only spaces may follow before the delimiter. */
  let closed = false;
  /** Something other than spaces was read into the unquoted field. */
  let hasContent = false;
  const endField = () => {
    fields.push(field);
    field = "";
    closed = false;
    hasContent = false;
  };
  const endRecord = () => {
    endField();
    if (!(fields.length === 1 && fields[0] === "")) records.push({ line: recordLine, fields });
    fields = [];
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (inQuotes) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          inQuotes = false;
          closed = true;
        }
      } else {
        if (char === "\n") line++;
        field += char;
      }
      continue;
    }
    if (char === delimiter) {
      endField();
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i++;
      endRecord();
      line++;
      recordLine = line;
    } else if (closed) {
      if (!isBlank(char)) throw new CsvSyntaxError(line, "unexpected text after a closing quote (a quote inside a quoted field is written twice: \"say \"\"hi\"\"\")");
    } else if (char === '"') {
      if (hasContent) throw new CsvSyntaxError(line, 'stray quote in an unquoted field (quote the whole field and write the quote twice: "say ""hi""")');
      field = "";
      inQuotes = true;
    } else {
      field += char;
      if (!isBlank(char)) hasContent = true;
    }
  }
  if (inQuotes) throw new CsvSyntaxError(recordLine, "unterminated quoted field");
  endRecord();
  return records;
}
