// Ansible 2.14's ansible_eval_concat (template/native_helpers.py, read at v2.14.17): a template made of
// several parts whose text looks like a list, a dict or a bool (`"[{{ a }}, 2]"`, `'{{ "" }}{"k": null}'`,
// `"{{ '' }}True"`) becomes that value through ast.literal_eval, JSON's true/false/null included.
// gx parses the text with its expression parser and accepts only literals.
import { ExprSyntaxError, parseExpr, type Node } from './expr-parse.js';

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
