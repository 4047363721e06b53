// Python's ast.literal_eval for the values of an INI inventory, as Ansible's ini plugin reads them
// (lib/ansible/plugins/inventory/ini.py, _parse_value, read at v2.14.17): numbers, strings (with
// prefixes, escapes and implicit concatenation), True/False/None, lists, tuples, dicts and sets.
// Anything else is not a literal, and the caller keeps the text as it is — exactly Ansible's
// fallback (`yes`, `1.2.3.4`, `foo bar` stay strings).
import { ExprSyntaxError, parseExpr, type Node } from './expr-parse.js';

class NotLiteral extends Error {}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' };

class Reader {
  private i = 0;
  constructor(private readonly s: string) {}

  private skip(): void {
    for (;;) {
      while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
      if (this.s[this.i] !== '#') return;
      while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++;
    }
  }

  private peek(): string {
    this.skip();
    return this.s[this.i] ?? '';
  }

  private eat(c: string): boolean {
    if (this.peek() !== c) return false;
    this.i++;
    return true;
  }

  all(): unknown {
    const v = this.value();
    if (this.peek() !== '') throw new NotLiteral();
    return v;
  }

  private value(): unknown {
    const c = this.peek();
    if (c === '-' || c === '+') {
      this.i++;
      const n = this.value();
      if (typeof n !== 'number') throw new NotLiteral();
      return c === '-' ? -n : n;
    }
    if (c === '[') return this.seq(']');
    if (c === '(') {
      // a parenthesised value is the value; a comma makes it a tuple (a list for gx)
      this.i++;
      if (this.eat(')')) return [];
      const first = this.value();
      if (this.eat(')')) return first;
      if (!this.eat(',')) throw new NotLiteral();
      return [first, ...this.rest(')')];
    }
    if (c === '{') return this.braces();
    const m = /^(?:[rRbBuU]|[rR][bB]|[bB][rR])?(?='|")/.exec(this.s.slice(this.i));
    if (m) {
      let out = '';
      // adjacent strings concatenate ('a' 'b' == 'ab')
      while (/^(?:[rRbBuU]|[rR][bB]|[bB][rR])?['"]/.test(this.s.slice(this.i))) {
        out += this.str();
        this.skip();
      }
      return out;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i))?.[0];
    if (word !== undefined) {
      this.i += word.length;
      if (word === 'True') return true;
      if (word === 'False') return false;
      if (word === 'None') return null;
      throw new NotLiteral();
    }
    return this.number();
  }

  private number(): number {
    const rest = this.s.slice(this.i);
    const m = /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:\d(?:_?\d)*)?\.?\d(?:_?\d)*(?:[eE][+-]?\d(?:_?\d)*)?|\d(?:_?\d)*\.)(?![A-Za-z0-9_.])/.exec(rest);
    if (!m) throw new NotLiteral();
    const text = m[0].replace(/_/g, '');
    this.i += m[0].length;
    if (/^0[xX]/.test(text)) return parseInt(text.slice(2), 16);
    if (/^0[oO]/.test(text)) return parseInt(text.slice(2), 8);
    if (/^0[bB]/.test(text)) return parseInt(text.slice(2), 2);
    // Python refuses 012 (a leading zero in a decimal integer other than 0 itself)
    if (/^0\d/.test(text) && !/[.eE]/.test(text) && /[1-9]/.test(text)) throw new NotLiteral();
    return Number(text);
  }

  private str(): string {
    const prefix = /^[rRbBuU]*/.exec(this.s.slice(this.i))![0];
    const raw = /[rR]/.test(prefix);
    this.i += prefix.length;
    const q = this.s.startsWith(this.s[this.i]!.repeat(3), this.i) ? this.s[this.i]!.repeat(3) : this.s[this.i]!;
    this.i += q.length;
    let out = '';
    for (;;) {
      if (this.i >= this.s.length) throw new NotLiteral();
      if (this.s.startsWith(q, this.i)) {
        this.i += q.length;
        return out;
      }
      const c = this.s[this.i]!;
      if (c === '\n' && q.length === 1) throw new NotLiteral();
      if (c !== '\\') {
        out += c;
        this.i++;
        continue;
      }
      const n = this.s[this.i + 1] ?? '';
      if (raw) {
        out += c + n;
        this.i += 2;
        continue;
      }
      if (n in ESCAPES) {
        out += ESCAPES[n];
        this.i += 2;
      } else if (n === 'x' || n === 'u' || n === 'U') {
        const len = n === 'x' ? 2 : n === 'u' ? 4 : 8;
        const hex = this.s.slice(this.i + 2, this.i + 2 + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new NotLiteral();
        out += String.fromCodePoint(parseInt(hex, 16));
        this.i += 2 + len;
      } else if (/[0-7]/.test(n)) {
        const oct = /^[0-7]{1,3}/.exec(this.s.slice(this.i + 1))![0];
        out += String.fromCodePoint(parseInt(oct, 8));
        this.i += 1 + oct.length;
      } else {
        // Python keeps an unknown escape as written
        out += c;
        this.i++;
      }
    }
  }

  private seq(close: string): unknown[] {
    this.i++;
    return this.rest(close);
  }

  /** items up to `close`, a trailing comma allowed */
  private rest(close: string): unknown[] {
    const out: unknown[] = [];
    for (;;) {
      if (this.eat(close)) return out;
      out.push(this.value());
      if (this.eat(close)) return out;
      if (!this.eat(',')) throw new NotLiteral();
    }
  }

  private braces(): unknown {
    this.i++;
    if (this.eat('}')) return {};
    const first = this.value();
    if (!this.eat(':')) {
      // a set: gx has no set type, a list keeps its members (duplicates dropped as a set would)
      const items = [first];
      if (!this.eat('}')) {
        if (!this.eat(',')) throw new NotLiteral();
        items.push(...this.rest('}'));
      }
      return items.filter((x, k) => items.findIndex((y) => JSON.stringify(y) === JSON.stringify(x)) === k);
    }
    const out: Record<string, unknown> = {};
    const put = (k: unknown, v: unknown): void => {
      if (k !== null && typeof k === 'object') throw new NotLiteral();
      out[k === true ? 'True' : k === false ? 'False' : k === null ? 'None' : String(k)] = v;
    };
    put(first, this.value());
    for (;;) {
      if (this.eat('}')) return out;
      if (!this.eat(',')) throw new NotLiteral();
      if (this.eat('}')) return out;
      const k = this.value();
      if (!this.eat(':')) throw new NotLiteral();
      put(k, this.value());
    }
  }
}

/** The value Python's ast.literal_eval gives for `text`, or `text` itself when it is not a literal. */
export function pyLiteral(text: string): unknown {
  try {
    return new Reader(text).all();
  } catch (e) {
    if (e instanceof NotLiteral || e instanceof RangeError) return text;
    throw e;
  }
}

// Ansible 2.14's ansible_eval_concat (template/native_helpers.py, read at v2.14.17): a template made of
// several parts whose text looks like a list, a dict or a bool (`"[{{ a }}, 2]"`, `'{{ "" }}{"k": null}'`,
// `"{{ '' }}True"`) becomes that value through ast.literal_eval, JSON's true/false/null included.
// gx parses the text with its expression parser and accepts only literals.
const NOT_LITERAL = Symbol('not a literal');
const JSON_NAMES: Record<string, unknown> = { true: true, false: false, null: null };

function literal(node: Node): unknown {
  switch (node.k) {
    case 'lit':
      return node.value;
    case 'name':
      return Object.prototype.hasOwnProperty.call(JSON_NAMES, node.id) ? JSON_NAMES[node.id] : NOT_LITERAL;
    case 'neg':
    case 'pos': {
      const v = literal(node.arg);
      return typeof v === 'number' ? (node.k === 'neg' ? -v : v) : NOT_LITERAL;
    }
    case 'list': {
      const out: unknown[] = [];
      for (const n of node.items) {
        const v = literal(n);
        if (v === NOT_LITERAL) return NOT_LITERAL;
        out.push(v);
      }
      return out;
    }
    case 'dict': {
      const out: Record<string, unknown> = {};
      for (const [kn, vn] of node.entries) {
        const k = literal(kn);
        const v = literal(vn);
        if ((typeof k !== 'string' && typeof k !== 'number') || v === NOT_LITERAL) return NOT_LITERAL;
        out[String(k)] = v;
      }
      return out;
    }
    default:
      return NOT_LITERAL;
  }
}

/** The value `text` stands for when Ansible's concat would convert it, else `text` itself. */
export function concatToLiteral(text: string): unknown {
  if (!(text.startsWith('{') || text.startsWith('[') || text === 'True' || text === 'False')) return text;
  if (text === 'True' || text === 'False') return text === 'True';
  let ast: Node;
  try {
    ast = parseExpr(text);
  } catch (e) {
    if (e instanceof ExprSyntaxError) return text;
    throw e;
  }
  const v = literal(ast);
  return v === NOT_LITERAL ? text : v;
}
