import { badRequest } from '../errors.ts';
import { isQualifiedName, fieldInvalid } from './validation.ts';
import { newLabelSelector, validateRequirement } from './labels.ts';
import type { LabelOperator, LabelSelector, Requirement } from './labels.ts';

// A hand-written lexer and recursive-descent parser with upstream's grammar (labels/selector.go), so
// that both what is accepted and the error text match the Kubernetes API server.

type Token = 'error' | 'eos' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';

interface Item {
  tok: Token;
  lit: string;
}

// A Map, not an object literal: an identifier such as "constructor" must not find a prototype member.
const literalTokens = new Map<string, Token>([
  [')', ')'],
  [',', ','],
  ['!', '!'],
  ['==', '=='],
  ['=', '='],
  ['>', '>'],
  ['in', 'in'],
  ['<', '<'],
  ['!=', '!='],
  ['notin', 'notin'],
  ['(', '('],
]);

function isWhitespace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
}

function isSpecial(ch: string): boolean {
  return ch === '=' || ch === '!' || ch === '(' || ch === ')' || ch === ',' || ch === '>' || ch === '<';
}

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  const at = (i: number): string => s[i] ?? '';
  for (;;) {
    while (at(pos) !== '' && isWhitespace(at(pos))) pos++;
    const ch = at(pos);
    if (ch === '') {
      items.push({ tok: 'eos', lit: '' });
      return items;
    }
    if (isSpecial(ch)) {
      // Longest special-symbol token: "!=" and "==" win over "!" and "=".
      let buffer = '';
      let last: Item | undefined;
      while (at(pos) !== '' && isSpecial(at(pos))) {
        buffer += at(pos);
        const tok = literalTokens.get(buffer);
        if (tok !== undefined) {
          last = { tok, lit: buffer };
          pos++;
        } else if (last) {
          break;
        } else {
          pos++;
        }
      }
      items.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buffer}'` });
      continue;
    }
    let word = '';
    while (at(pos) !== '' && !isSpecial(at(pos)) && !isWhitespace(at(pos))) word += at(pos++);
    items.push({ tok: literalTokens.get(word) ?? 'id', lit: word });
  }
}

// In value position the keywords "in" and "notin" are ordinary identifiers.
type Context = 'keyAndOperator' | 'values';

class ParseError extends Error {}

class Parser {
  readonly #items: Item[];
  #position = 0;

  constructor(items: Item[]) {
    this.#items = items;
  }

  #read(context: Context, advance: boolean): Item {
    const item = this.#items[this.#position] ?? { tok: 'eos', lit: '' };
    if (advance) this.#position++;
    if (context === 'values' && (item.tok === 'in' || item.tok === 'notin')) return { tok: 'id', lit: item.lit };
    return item;
  }

  lookahead(context: Context): Item {
    return this.#read(context, false);
  }

  consume(context: Context): Item {
    return this.#read(context, true);
  }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead('values');
      if (tok === 'eos') return requirements;
      if (tok !== 'id' && tok !== '!') throw new ParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      try {
        requirements.push(this.parseRequirement());
      } catch (err) {
        if (err instanceof ParseError) throw new ParseError(`unable to parse requirement: ${err.message}`);
        throw err;
      }
      const next = this.consume('values');
      if (next.tok === 'eos') return requirements;
      if (next.tok !== ',') throw new ParseError(`found '${next.lit}', expected: ',' or 'end of string'`);
      const after = this.lookahead('values');
      if (after.tok !== 'id' && after.tok !== '!') throw new ParseError(`found '${after.lit}', expected: identifier after ','`);
    }
  }

  parseRequirement(): Requirement {
    const { key, operator: inferred } = this.parseKeyAndInferOperator();
    if (inferred === 'exists' || inferred === '!') return requirement(key, inferred, []);
    const operator = this.parseOperator();
    const values = operator === 'in' || operator === 'notin' ? this.parseValues() : this.parseExactValue();
    return requirement(key, operator, [...values].sort());
  }

  parseKeyAndInferOperator(): { key: string; operator: LabelOperator | undefined } {
    let operator: LabelOperator | undefined;
    let item = this.consume('values');
    if (item.tok === '!') {
      operator = '!';
      item = this.consume('values');
    }
    if (item.tok !== 'id') throw new ParseError(`found '${item.lit}', expected: identifier`);
    const keyErrs = isQualifiedName(item.lit);
    // The parser validates with a nil field path, which upstream prints as "<nil>".
    if (keyErrs.length > 0) throw new ParseError(fieldInvalid('<nil>', item.lit, keyErrs.join('; ')));
    const next = this.lookahead('values').tok;
    if ((next === 'eos' || next === ',') && operator !== '!') operator = 'exists';
    return { key: item.lit, operator };
  }

  parseOperator(): LabelOperator {
    const { tok, lit } = this.consume('keyAndOperator');
    switch (tok) {
      case 'in':
        return 'in';
      case '=':
        return '=';
      case '==':
        return '==';
      case '>':
        return 'gt';
      case '<':
        return 'lt';
      case 'notin':
        return 'notin';
      case '!=':
        return '!=';
      default:
        throw new ParseError(`found '${lit}', expected: '=', '!=', '==', 'in', notin'`);
    }
  }

  parseValues(): Set<string> {
    const open = this.consume('values');
    if (open.tok !== '(') throw new ParseError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead('values');
    if (tok === 'id' || tok === ',') {
      const values = this.parseIdentifiersList();
      if (this.consume('values').tok !== ')') throw new ParseError(`found '${lit}', expected: ')'`);
      return values;
    }
    if (tok === ')') {
      this.consume('values');
      return new Set(['']);
    }
    throw new ParseError(`found '${lit}', expected: ',', ')' or identifier`);
  }

  // A possibly empty, comma separated list of possibly empty identifiers: "(a,,b)" holds "".
  parseIdentifiersList(): Set<string> {
    const values = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume('values');
      if (tok === 'id') {
        values.add(lit);
        const next = this.lookahead('values');
        if (next.tok === ',') continue;
        if (next.tok === ')') return values;
        throw new ParseError(`found '${next.lit}', expected: ',' or ')'`);
      }
      if (tok === ',') {
        if (values.size === 0) values.add('');
        const next = this.lookahead('values').tok;
        if (next === ')') {
          values.add('');
          return values;
        }
        if (next === ',') {
          this.consume('values');
          values.add('');
        }
        continue;
      }
      throw new ParseError(`found '${lit}', expected: ',', or identifier`);
    }
  }

  parseExactValue(): Set<string> {
    const next = this.lookahead('values').tok;
    if (next === 'eos' || next === ',') return new Set(['']);
    const { tok, lit } = this.consume('values');
    if (tok === 'id') return new Set([lit]);
    throw new ParseError(`found '${lit}', expected: identifier`);
  }
}

function requirement(key: string, operator: LabelOperator, values: string[]): Requirement {
  const err = validateRequirement(key, operator, values);
  if (err !== undefined) throw new ParseError(err);
  return { key, operator, values };
}

/** parseLabelRequirements parses a label selector string into its requirements, in input order; it throws a 400 ApiError with upstream's message. */
export function parseLabelRequirements(selector: string): Requirement[] {
  try {
    return new Parser(lex(selector)).parse();
  } catch (err) {
    if (err instanceof ParseError) throw badRequest(err.message);
    throw err;
  }
}

/** parseLabelSelector parses the labelSelector query syntax ("a=b,c in (x),!d,e>1") with upstream's grammar, validation and messages. */
export function parseLabelSelector(selector: string): LabelSelector {
  return newLabelSelector(parseLabelRequirements(selector));
}
