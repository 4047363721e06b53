// template: the rendered text is written exactly as copy writes `content`.
import { posix } from 'node:path';
import { ModuleError } from '../engine/errors.js';
import { defineModule } from '../engine/module-contract.js';
import { planWrite, writeProperties, writeReturns, type WriteArgs } from './lib/write-file.js';
import { encodeText } from './lib/text-encoding.js';
import { DEFAULT_DELIMITERS, toDefaultDelimiters, type Delimiters } from './lib/jinja-delimiters.js';
import { hasTemplate, isHandlebarsFile } from '../engine/vars/template.js';

const MANAGED = 'Managed by gx: local changes will be overwritten';

export interface TemplateArgs extends WriteArgs {
  src: string;
  trim_blocks?: boolean;
  lstrip_blocks?: boolean;
  newline_sequence?: '\n' | '\r' | '\r\n' | '\\n' | '\\r' | '\\r\\n';
  output_encoding?: string;
  block_start_string?: string;
  block_end_string?: string;
  variable_start_string?: string;
  variable_end_string?: string;
  comment_start_string?: string;
  comment_end_string?: string;
}

// the template action (plugins/action/template.py, v2.14) takes a newline written as an escape too
const ESCAPED_NEWLINES: Record<string, string> = { '\\n': '\n', '\\r': '\r', '\\r\\n': '\r\n' };

export const template = defineModule<TemplateArgs>({
  name: 'template',
  summary: 'Render a Jinja2 template (or a Handlebars `.hbs` one) with the task\'s variables and write it to the host.',
  description:
    'A relative `src` is looked up in the role\'s `templates/` first, then in the playbook\'s `templates/`. ' +
    'A `.hbs` file is Handlebars (`{{ var }}`, `{{#if}}`, `{{#each}}`, and gx\'s helpers); every other file (`.j2`, no extension…) is Jinja2 with Ansible\'s template defaults (trim_blocks on, lstrip_blocks off, trailing newlines kept, a `#jinja2:` first line may override them; `{% include %}` looks beside the file, then in the role\'s and playbook\'s templates/). ' +
    'Either way it is rendered strictly: an undefined variable is an error, not an empty string. ' +
    'Besides the play\'s variables, `template_path` (the src as written), `template_fullpath`, `template_host`, `template_uid`, `template_mtime`, `template_run_date`, `template_dest` and `ansible_managed` (a "managed by gx" line, unless the play sets its own) are available. ' +
    'The result is written like copy does: compared by checksum, atomic, diffable, with backup and validate.',
  schema: {
    type: 'object',
    properties: {
      src: { type: 'string', description: "The template file, relative to the role's or playbook's templates/ directory, or absolute on the controller." },
      // lib/ansible/plugins/doc_fragments/template_common.py (ansible-core 2.17): the same names and defaults
      trim_blocks: { type: 'boolean', default: true, description: 'Jinja2 files: remove the first newline after a block tag (`{% … %}`, not `{{ }}`). Ignored for `.hbs` files.' },
      lstrip_blocks: { type: 'boolean', default: false, description: 'Jinja2 files: strip spaces and tabs from the start of a line up to a block tag. Ignored for `.hbs` files.' },
      newline_sequence: {
        type: 'string',
        enum: ['\n', '\r', '\r\n', '\\n', '\\r', '\\r\\n'],
        default: '\n',
        description: "Jinja2 files: the newline the template's own text is written with (`'\\r\\n'` written as an escape is the same). Ignored for `.hbs` files.",
      },
      output_encoding: {
        type: 'string',
        description: 'The encoding the file is written in: utf-8 (the default, also when empty), latin-1 (iso-8859-1), windows-1252 (cp1252) or ascii; the template itself is read as UTF-8.',
      },
      ...Object.fromEntries(
        Object.entries(DEFAULT_DELIMITERS).map(([k, v]) => [k, { type: 'string', description: `Jinja2 files: this delimiter instead of \`${v}\`.` }]),
      ),
      ...writeProperties,
    },
    required: ['src', 'dest'],
    additionalProperties: false,
  },
  examples: [
    `- name: Configure the ingress
  template:
    src: ingress.yaml.hbs
    dest: /var/lib/rancher/k3s/server/manifests/ingress.yaml
    mode: '0644'`,
    `- name: nginx site, checked before it replaces the old one
  template:
    src: site.conf.j2
    dest: /etc/nginx/conf.d/site.conf
    backup: true
    validate: nginx -t -c %s`,
  ],
  returns: { ...writeReturns, src: { type: 'str', description: 'The template file used.', returned: 'always' } },
  checkMode: true,
  check(a) {
    return Object.keys(DEFAULT_DELIMITERS).flatMap((k) => (a[k as keyof Delimiters] === '' ? [`${k} must not be empty`] : []));
  },
  async plan(ctx, a) {
    const path = await ctx.findFile(a.src, 'templates');
    const st = await ctx.local.stat(path, { followLinks: true });
    const text = st?.type === 'file' ? await ctx.local.get(path) : null;
    if (!st || !text) throw new ModuleError(`template: ${path} is not a readable file on the controller`);
    // template_src: the src as written, which Ansible shows as template_path (the runner adds the other template_* variables)
    const extra: Record<string, unknown> = { template_path: path, template_src: a.src, template_dest: a.dest };
    if (ctx.vars.ansible_managed === undefined) extra.ansible_managed = MANAGED;
    const newline = a.newline_sequence === undefined ? undefined : (ESCAPED_NEWLINES[a.newline_sequence] ?? a.newline_sequence);
    const custom = Object.keys(DEFAULT_DELIMITERS).some((k) => a[k as keyof Delimiters] !== undefined && a[k as keyof Delimiters] !== DEFAULT_DELIMITERS[k as keyof Delimiters]);
    const delimiters = { ...DEFAULT_DELIMITERS, ...Object.fromEntries(Object.keys(DEFAULT_DELIMITERS).flatMap((k) => (a[k as keyof Delimiters] !== undefined ? [[k, a[k as keyof Delimiters]]] : []))) } as Delimiters;
    const source = custom && !isHandlebarsFile(path) ? toDefaultDelimiters(text.toString('utf8'), delimiters) : text.toString('utf8');
    // a file without a Jinja tag is not rendered, but Jinja still writes its newlines as newline_sequence
    const rendered =
      newline !== undefined && newline !== '\n' && !isHandlebarsFile(path) && !hasTemplate(source)
        ? source.replace(/\r\n|\r|\n/g, newline)
        : ctx.renderTemplate(source, extra, { trimBlocks: a.trim_blocks, lstripBlocks: a.lstrip_blocks, newlineSequence: newline });
    return planWrite(ctx, a, { bytes: encodeText(rendered, a.output_encoding), basename: posix.basename(a.src), srcMode: st.mode, src: path });
  },
});

export default template;
