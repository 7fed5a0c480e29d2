/**
 * A person's name under its field went to the cloud in clear when typed in lower case (`"last_name":
 * "kowalska"`, `first_name=maria`), in an HTML input's `value` beside its `name`, and after a type annotation
 * (`last_name: str = "Kowalska"`). Code identifiers, templates and format strings under the same fields stay
 * as written.
 */
import { describe, expect, it } from "vitest";
import { NO_DEADLINE } from "../../src/pii/budget.js";
import { nameFieldsRecognizer } from "../../src/pii/recognizers/name-fields.js";
import { leastCpuMs } from "../support/cpu-time.js";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("a name under a person's field in lower case, in an HTML input and after a type", () => {
  it.each([
    ['{"last_name": "okonkwo"}', '{"last_name": "<PERSON_1>"}'],
    ['{"first_name": "zofia", "last_name": "de la cruz"}', '{"first_name": "<PERSON_1>", "last_name": "<PERSON_2>"}'],
    ["first_name=zofia", "first_name=<PERSON_1>"],
    ["GET /signup?first_name=zofia&last_name=okonkwo HTTP/1.1", "GET /signup?first_name=<PERSON_1>&last_name=<PERSON_2> HTTP/1.1"],
    ["$row = ['last_name' => 'okonkwo'];", "$row = ['last_name' => '<PERSON_1>'];"],
  ])("in lower case: %s", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it.each([
    ['<input name="last_name" value="Okonkwo">', '<input name="last_name" value="<PERSON_1>">'],
    ['<input type="text" value="Okonkwo" name="last_name" />', '<input type="text" value="<PERSON_1>" name="last_name" />'],
    ["<input name='user[first_name]' value='zofia'>", "<input name='user[first_name]' value='<PERSON_1>'>"],
    ['<input id="firstName" class="form-control" value="Zofia">', '<input id="firstName" class="form-control" value="<PERSON_1>">'],
  ])("in an HTML input's value: %s", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it.each([
    ['last_name: str = "Okonkwo"', 'last_name: str = "<PERSON_1>"'],
    ["first_name: Optional[str] = 'Zofia'", "first_name: Optional[str] = '<PERSON_1>'"],
    ['lastName: string = "Okonkwo";', 'lastName: string = "<PERSON_1>";'],
    ['private lastName?: string = "okonkwo";', 'private lastName?: string = "<PERSON_1>";'],
  ])("after a type annotation: %s", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it.each([
    ["last_name: lastName"],
    ["first_name = first_name.strip()"],
    ['{"first_name": "string", "last_name": "keyword"}'],
    ['{"first_name": first_name, "last_name": lname}'],
    ["Hello {{first_name}}, welcome back"],
    ["const greeting = `Hi ${firstName}`;"],
    ['"first_name": "%s"'],
    ["User(first_name=fname, last_name=lname)"],
    ["'first_name' => 'alpha', 'last_name' => 'sometimes'"],
    ["first_name: str = Field(..., max_length=50)"],
    ['lastName: string = user.lastName;'],
    ['<input name="first_name" placeholder="Enter your first name">'],
    ['<input name="first_name" value="{{ user.first_name }}">'],
    ['<input name="last_name" value="">'],
    ['<label for="last_name">Last name</label><input name="plan" value="Premium">'],
    ['<input name="product_name" value="Laptop Pro">'],
  ])("leaves code and templates: %j", (text) => {
    expect(cloudTextOf(sanitizer, text)).toBe(text);
  });

  it("still masks a capitalised name after a field followed by running text", () => {
    expect(cloudTextOf(sanitizer, 'first_name: "Zofia", then save')).toBe('first_name: "<PERSON_1>", then save');
  });

  it.each([
    ["quoted keys before a start tag's end", '<a "last_name" '],
    ["typed keys without a value", "last_name: str str str str str "],
  ])("costs little on 1 MB of %s", (_label, unit) => {
    const recognizer = nameFieldsRecognizer();
    const text = unit.repeat(Math.ceil(1_000_000 / unit.length));
    // Each key looks a bounded stretch either way: a linear scan takes some tens of ms of CPU under any load.
    expect(leastCpuMs(() => recognizer.scan(text, [], NO_DEADLINE))).toBeLessThan(400);
  });
});
