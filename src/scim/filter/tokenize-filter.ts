// Splits a filter into tokens for `parseFilter`. Only four characters are structure — `( ) [ ]` —
// plus JSON strings in double quotes; everything else between whitespace is a "word" (an attribute
// path, an operator, a keyword, a number or an unquoted value) that the parser interprets by position.
import { ScimError } from '../scim-error.ts';

export type Token =
  | { kind: '(' | ')' | '[' | ']' | 'end'; position: number }
  | { kind: 'string'; value: string; position: number }
  | { kind: 'word'; text: string; position: number };

/** The error every malformed filter produces (RFC 7644 §3.12: 400 `invalidFilter`). */
export function invalidFilter(detail: string): ScimError {
  return new ScimError(400, `Invalid filter: ${detail}`, 'invalidFilter');
}

/** Positions in messages are 1-based characters, as a person counts them in the filter text. */
export function at(position: number): string {
  return `at character ${position + 1}`;
}

const STRUCTURE = new Set(['(', ')', '[', ']']);

export function tokenizeFilter(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (/\s/.test(char)) {
      // RFC 7644 asks for exactly one SP between tokens; IdPs and people add more, tabs or newlines.
      i += 1;
    } else if (char === '(' || char === ')' || char === '[' || char === ']') {
      tokens.push({ kind: char, position: i });
      i += 1;
    } else if (char === '"') {
      const { value, end } = readString(text, i);
      tokens.push({ kind: 'string', value, position: i });
      i = end;
    } else {
      const start = i;
      while (i < text.length && !/\s/.test(text[i]!) && !STRUCTURE.has(text[i]!) && text[i] !== '"') i += 1;
      tokens.push({ kind: 'word', text: text.slice(start, i), position: start });
    }
  }
  tokens.push({ kind: 'end', position: text.length });
  return tokens;
}

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/**
 * Reads a JSON string literal (RFC 8259 §7) starting at the opening quote. Raw control characters are
 * tolerated rather than rejected: they can only come from a client that URL-encoded them on purpose,
 * and they harm nothing since the value is always bound as a parameter.
 */
function readString(text: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const char = text[i]!;
    if (char === '"') {
      // A NUL or a lone surrogate can be stored by neither database (PostgreSQL refuses them in text).
      if (value.includes('\u0000') || UNPAIRED_SURROGATE.test(value)) {
        throw invalidFilter(`the string starting ${at(start)} holds a NUL or an unpaired surrogate`);
      }
      return { value, end: i + 1 };
    }
    if (char !== '\\') {
      value += char;
      i += 1;
      continue;
    }
    const escaped = text[i + 1];
    if (escaped === undefined) break;
    const simple = SIMPLE_ESCAPES[escaped];
    if (simple !== undefined) {
      value += simple;
      i += 2;
    } else if (escaped === 'u') {
      const hex = text.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        throw invalidFilter(`invalid \\u escape ${at(i)} (expected four hexadecimal digits)`);
      }
      // Surrogate pairs (\ud83d\ude00) join by themselves: JavaScript strings are UTF-16 code units.
      value += String.fromCharCode(Number.parseInt(hex, 16));
      i += 6;
    } else {
      throw invalidFilter(`invalid escape \\${escaped} ${at(i)} in a string`);
    }
  }
  throw invalidFilter(`unterminated string starting ${at(start)}`);
}
