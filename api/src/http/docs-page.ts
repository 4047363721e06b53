// A readable page rendered on the server from the OpenAPI document: no CDN, no script, so it works
// on an offline cluster and always matches /openapi.json.
import { openApiDocument } from './openapi.js';

type Json = Record<string, unknown>;

const esc = (s: unknown): string =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
// `code` spans in descriptions, nothing more: the text is ours, but escape first anyway
const text = (s: unknown): string => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');

function resolve(schema: Json | undefined): [string, Json | undefined] {
  const r = schema?.$ref;
  if (typeof r !== 'string') return ['', schema];
  const name = r.split('/').pop()!;
  return [name, (openApiDocument.components.schemas as unknown as Record<string, Json>)[name]];
}

function typeOf(s: Json): string {
  if (typeof s.$ref === 'string') return s.$ref.split('/').pop()!;
  const t = Array.isArray(s.type) ? s.type.join(' | ') : String(s.type ?? 'any');
  if (t === 'array' && s.items) return `${typeOf(s.items as Json)}[]`;
  return s.format ? `${t} (${String(s.format)})` : t;
}

function schemaTable(schema: Json | undefined): string {
  const [name, s] = resolve(schema);
  if (!s) return '';
  const props = (s.properties ?? {}) as Record<string, Json>;
  const required = new Set((s.required ?? []) as string[]);
  const rows = Object.entries(props)
    .map(([p, ps]) => `<tr><td><code>${esc(p)}</code>${required.has(p) ? ' *' : ''}</td><td>${esc(typeOf(ps))}</td><td>${text(ps.description)}</td></tr>`)
    .join('');
  return `${name ? `<p><b>${esc(name)}</b> — ${text(s.description)}</p>` : ''}${rows ? `<table><tr><th>field</th><th>type</th><th>meaning</th></tr>${rows}</table>` : ''}`;
}

function operation(path: string, method: string, op: Json): string {
  const params = ((op.parameters ?? []) as Json[])
    .map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${esc(typeOf(p.schema as Json))}</td><td>${text(p.description)}</td></tr>`)
    .join('');
  const body = (op.requestBody as Json | undefined)?.content as Record<string, { schema: Json }> | undefined;
  const responses = Object.entries((op.responses ?? {}) as Record<string, Json>)
    .map(([code, r]) => {
      const schema = (r.content as Record<string, { schema: Json }> | undefined)?.['application/json']?.schema;
      return `<tr><td>${esc(code)}</td><td>${text(r.description)}</td><td>${schema ? esc(typeOf(schema)) : ''}</td></tr>`;
    })
    .join('');
  return `<section id="${esc(method)}-${esc(path)}">
<h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code>${op.security ? ' <small>bearer token</small>' : ''}</h3>
<p>${text(op.summary)}</p>
${params ? `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>type</th><th>meaning</th></tr>${params}</table>` : ''}
${body ? `<h4>Request body (application/json)</h4>${schemaTable(body['application/json']?.schema)}` : ''}
<h4>Responses</h4><table><tr><th>status</th><th>meaning</th><th>body</th></tr>${responses}</table>
</section>`;
}

export function renderDocsPage(): string {
  const doc = openApiDocument as unknown as { info: Json; paths: Record<string, Record<string, Json>>; components: { schemas: Record<string, Json> } };
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([m, op]) => operation(path, m, op)));
  const schemas = Object.keys(doc.components.schemas)
    .map((n) => `<section id="schema-${esc(n)}"><h3>${esc(n)}</h3>${schemaTable({ $ref: `#/components/schemas/${n}` })}</section>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(doc.info.title)}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:.4rem 0 1rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
code{background:#f3f3f3;padding:0 .2rem}section{border-top:1px solid #ddd;padding-top:.5rem}
.m{display:inline-block;min-width:4.5rem;color:#fff;border-radius:3px;text-align:center;background:#555}.get{background:#2a7}.post{background:#27c}.patch{background:#c80}.delete{background:#c33}
</style></head><body>
<h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1>
<p>${text(doc.info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a></p>
<h2>Endpoints</h2>${ops.join('\n')}
<h2>Schemas</h2>${schemas}
</body></html>`;
}
