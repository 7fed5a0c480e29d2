/**
 * PHP's and Rails' forms name a record's fields in brackets (`user[last_name]=Lopez`,
 * `cliente[nombre]=Ana&cliente[apellido]=Ruiz`): the key's `]` stood between it and its `=`, so the value
 * was no field's and a surname went to the cloud as written.
 */
import { describe, expect, it } from "vitest";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("person fields under bracketed form keys", () => {
  it.each([
    ["user[first_name]=Maria&user[last_name]=Wrzosek", "user[first_name]=<PERSON_1>&user[last_name]=<PERSON_2>"],
    ["cliente[nombre]=Ksawera&cliente[apellido]=Zawadzka", "cliente[nombre]=<PERSON_1>&cliente[apellido]=<PERSON_2>"],
    ["customer[lastName]=WRZOSEK&customer[email_opt_in]=1", "customer[lastName]=<PERSON_1>&customer[email_opt_in]=1"],
    ["POST /users?user[first_name]=ksawera&user[last_name]=wrzosek", "POST /users?user[first_name]=<PERSON_1>&user[last_name]=<PERSON_2>"],
    ["order[billing][last_name]=Wrzosek&order[total]=12", "order[billing][last_name]=<PERSON_1>&order[total]=12"],
  ])("masks the value in %j", (text, cloud) => {
    expect(cloudTextOf(sanitizer, text)).toBe(cloud);
  });

  it.each([
    "user[last_name]=required&user[first_name]=string",
    "filter[last_name]=asc&page[size]=20",
    "$rules = ['user[last_name]' => 'required|alpha'];",
  ])("leaves rules, sorts and types as written: %j", (text) => {
    expect(cloudTextOf(sanitizer, text)).toBe(text);
  });
});
