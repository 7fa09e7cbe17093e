// A recursive-descent parser for the filter grammar of RFC 7644 §3.4.2.2 (figure 1):
//
//   FILTER    = attrExp / logExp / valuePath / *1"not" "(" FILTER ")"
//   valuePath = attrPath "[" valFilter "]"
//   attrExp   = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)
//   logExp    = FILTER SP ("and" / "or") SP FILTER        ; "and" binds tighter than "or"
//
// Keywords and operators are case-insensitive (§3.4.2.2: "Attribute names and attribute operators
// used in filters are case insensitive"). Every malformed input ends in a 400 `invalidFilter` naming
// the character where it went wrong; nothing else is ever thrown, whatever the input.

import { ScimError, type ScimType } from '../scim-error.ts';
import {
  type AttributePath,
  COMPARE_OPERATORS,
  type CompareOperator,
  type FilterNode,
  type FilterValue,
} from './ast.ts';
import { at, invalidFilter, type Token, tokenizeFilter } from './tokenize-filter.ts';

/** Longer filters are refused before any work: no IdP sends more than a few hundred characters. */
export const MAX_FILTER_LENGTH = 4096;
/** Parentheses, `not` and brackets deeper than this are refused instead of exhausting the stack. */
export const MAX_FILTER_DEPTH = 50;

const KEYWORDS = new Set<string>(['and', 'or', 'not', 'pr', ...COMPARE_OPERATORS]);
const ATTRIBUTE_NAME = /^(?:\$ref|[A-Za-z][A-Za-z0-9_-]*)$/;
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

export function parseFilter(text: string): FilterNode {
  if (typeof text !== 'string') throw invalidFilter('the filter must be a string');
  if (text.length > MAX_FILTER_LENGTH) {
    throw invalidFilter(`the filter is ${text.length} characters long; the limit is ${MAX_FILTER_LENGTH}`);
  }
  if (text.trim() === '') throw invalidFilter('the filter is empty');
  return new FilterParser(tokenizeFilter(text)).parse();
}

/**
 * Parses a lone attribute path such as a `sortBy` value (`name.familyName`,
 * `urn:…:enterprise:2.0:User:department`); errors carry the caller's `scimType`.
 */
export function parseAttributePath(text: string, scimType: ScimType = 'invalidPath'): AttributePath {
  const trimmed = typeof text === 'string' ? text.trim() : '';
  const result = trimmed === '' ? 'the attribute path is empty' : readAttributePath(trimmed);
  if (typeof result === 'string') throw new ScimError(400, result, scimType);
  return result;
}

/** Splits `[URN ":"] name ["." subName]`; returns an error message instead of throwing. */
function readAttributePath(text: string): AttributePath | string {
  let schema: string | undefined;
  let rest = text;
  // A URN ends at its last colon: attribute names never contain one (RFC 7643 §2.1), while the URN
  // itself holds dots ("2.0"), so "…:2.0:User:name.givenName" splits into URN, `name`, `givenName`.
  if (/^urn:/i.test(text)) {
    const colon = text.lastIndexOf(':');
    schema = text.slice(0, colon);
    rest = text.slice(colon + 1);
  }
  const parts = rest.split('.');
  if (parts.length > 2) return `attribute path '${text}' has more than one sub-attribute level`;
  const [attribute, subAttribute] = parts;
  if (attribute === undefined || !ATTRIBUTE_NAME.test(attribute)) return `invalid attribute path '${text}'`;
  if (subAttribute !== undefined && !ATTRIBUTE_NAME.test(subAttribute)) {
    return `invalid attribute path '${text}'`;
  }
  return {
    ...(schema === undefined ? {} : { schema }),
    attribute,
    ...(subAttribute === undefined ? {} : { subAttribute }),
  };
}

function describe(token: Token): string {
  if (token.kind === 'end') return 'the end of the filter';
  if (token.kind === 'word') return `'${token.text}'`;
  if (token.kind === 'string') return `the string ${JSON.stringify(token.value)}`;
  return `'${token.kind}'`;
}

function isWord(token: Token, word: string): boolean {
  return token.kind === 'word' && token.text.toLowerCase() === word;
}

class FilterParser {
  private index = 0;
  private depth = 0;
  /** The open `[` while inside a value filter: another `[` there is an error (RFC: valFilter has no valuePath). */
  private bracket: Token | undefined;

  constructor(private readonly tokens: Token[]) {}

  parse(): FilterNode {
    const node = this.parseOr();
    const next = this.peek();
    if (next.kind !== 'end') {
      if (next.kind === ')' || next.kind === ']') {
        throw invalidFilter(`unbalanced '${next.kind}' ${at(next.position)}`);
      }
      throw invalidFilter(
        `expected 'and', 'or' or the end of the filter ${at(next.position)}, found ${describe(next)}`,
      );
    }
    return node;
  }

  private peek(): Token {
    return this.tokens[this.index] ?? { kind: 'end', position: 0 };
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index += 1;
    return token;
  }

  private enter(token: Token): void {
    this.depth += 1;
    if (this.depth > MAX_FILTER_DEPTH) {
      throw invalidFilter(`nesting deeper than ${MAX_FILTER_DEPTH} levels ${at(token.position)}`);
    }
  }

  private parseOr(): FilterNode {
    let left = this.parseAnd();
    while (isWord(this.peek(), 'or')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): FilterNode {
    let left = this.parseUnary();
    while (isWord(this.peek(), 'and')) {
      this.next();
      left = { kind: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): FilterNode {
    const token = this.peek();
    if (token.kind === '(') return this.parseGroup();
    if (isWord(token, 'not')) {
      this.next();
      if (this.peek().kind !== '(') {
        throw invalidFilter(`expected '(' after 'not' ${at(token.position)}, found ${describe(this.peek())}`);
      }
      return { kind: 'not', filter: this.parseGroup() };
    }
    // `and`/`or` here means an operand is missing (`and userName eq "a"`, `… or or …`).
    if (token.kind === 'word' && !isWord(token, 'and') && !isWord(token, 'or')) {
      return this.parseAttributeExpression(token);
    }
    throw invalidFilter(
      `expected an attribute path, '(' or 'not' ${at(token.position)}, found ${describe(token)}`,
    );
  }

  private parseGroup(): FilterNode {
    const open = this.next();
    this.enter(open);
    const node = this.parseOr();
    const close = this.next();
    if (close.kind !== ')') {
      throw invalidFilter(
        `missing ')' for the '(' ${at(open.position)}: found ${describe(close)} ${at(close.position)}`,
      );
    }
    this.depth -= 1;
    return node;
  }

  private parseAttributeExpression(token: Token & { kind: 'word' }): FilterNode {
    this.next();
    const path = readAttributePath(token.text);
    if (typeof path === 'string') throw invalidFilter(`${path} ${at(token.position)}`);
    if (this.peek().kind === '[') return this.parseValuePath(path, token);
    return this.parseOperation(path, token);
  }

  private parseOperation(path: AttributePath, pathToken: Token & { kind: 'word' }): FilterNode {
    const token = this.next();
    if (token.kind !== 'word') {
      throw invalidFilter(
        `expected an operator after '${pathToken.text}' ${at(token.position)}, found ${describe(token)}`,
      );
    }
    const op = token.text.toLowerCase();
    if (op === 'pr') {
      const after = this.peek();
      if (
        after.kind === 'string' ||
        (after.kind === 'word' && !isWord(after, 'and') && !isWord(after, 'or'))
      ) {
        throw invalidFilter(`'pr' takes no value, found ${describe(after)} ${at(after.position)}`);
      }
      return { kind: 'present', path };
    }
    if (!(COMPARE_OPERATORS as readonly string[]).includes(op)) {
      throw invalidFilter(
        `unknown operator '${token.text}' ${at(token.position)}; expected eq, ne, co, sw, ew, gt, ge, lt, le or pr`,
      );
    }
    return { kind: 'compare', path, op: op as CompareOperator, value: this.parseValue(token) };
  }

  private parseValue(operator: Token & { kind: 'word' }): FilterValue {
    const token = this.peek();
    if (token.kind === 'string') {
      this.next();
      return token.value;
    }
    if (token.kind !== 'word') {
      throw invalidFilter(
        `missing value after '${operator.text}' ${at(token.position)}, found ${describe(token)}`,
      );
    }
    const lower = token.text.toLowerCase();
    if (KEYWORDS.has(lower)) {
      throw invalidFilter(
        `missing value after '${operator.text}' ${at(token.position)}, found the keyword '${token.text}'`,
      );
    }
    this.next();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    if (lower === 'null') return null;
    if (JSON_NUMBER.test(token.text)) return Number(token.text);
    if (token.text.startsWith("'")) {
      throw invalidFilter(`strings take double quotes, not single quotes ${at(token.position)}`);
    }
    // Tolerance: RFC 7644 wants string values in double quotes, and Okta always sends them, but some
    // clients send a bare token (`userName eq jane@acme.com`). A bare word that is not a keyword,
    // `true`/`false`/`null` or a JSON number is taken as the string it spells.
    return token.text;
  }

  private parseValuePath(path: AttributePath, pathToken: Token & { kind: 'word' }): FilterNode {
    const open = this.next();
    if (this.bracket !== undefined) {
      throw invalidFilter(
        `value filters cannot be nested: '[' ${at(open.position)} is inside the '[' ${at(this.bracket.position)}`,
      );
    }
    if (path.subAttribute !== undefined) {
      throw invalidFilter(
        `a value filter must follow an attribute, not '${pathToken.text}' ${at(open.position)}`,
      );
    }
    this.enter(open);
    this.bracket = open;
    const filter = this.parseOr();
    const close = this.next();
    if (close.kind !== ']') {
      throw invalidFilter(
        `missing ']' for the '[' ${at(open.position)}: found ${describe(close)} ${at(close.position)}`,
      );
    }
    this.bracket = undefined;
    this.depth -= 1;
    const node: FilterNode = { kind: 'valuePath', path, filter };
    const after = this.peek();
    return after.kind === 'word' && after.text.startsWith('.')
      ? this.parseSubAttributeTail(node, after)
      : node;
  }

  /** `emails[type eq "work"].value eq "x"` → `emails[type eq "work" and value eq "x"]` (see ast.ts). */
  private parseSubAttributeTail(
    node: FilterNode & { kind: 'valuePath' },
    token: Token & { kind: 'word' },
  ): FilterNode {
    this.next();
    const name = token.text.slice(1);
    if (!ATTRIBUTE_NAME.test(name)) {
      throw invalidFilter(`invalid sub-attribute '${token.text}' ${at(token.position)}`);
    }
    const sub = { attribute: name };
    const tail = this.parseOperation(sub, token);
    if (tail.kind === 'compare' && tail.op === 'ne') {
      const eq: FilterNode = { ...tail, op: 'eq' };
      return { kind: 'not', filter: { ...node, filter: { kind: 'and', left: node.filter, right: eq } } };
    }
    return { ...node, filter: { kind: 'and', left: node.filter, right: tail } };
  }
}
