/** UTF-16 code units the decoders compare `charCodeAt` with: one definition for decode.ts and decode-form.ts. */
export const NEWLINE = 0x0a;
export const HASH = 0x23;
export const PERCENT = 0x25;
export const AMPERSAND = 0x26;
export const PLUS = 0x2b;
export const EQUALS = 0x3d;
export const QUESTION = 0x3f;
export const BACKSLASH = 0x5c;
