// Micro-benchmark for the templating hot path: `node --import tsx test/vars/bench.ts`.
// Renders a typical task's arguments and evaluates a typical `when` against a ~200-variable
// scope, the way the executor does for every host × loop item. Not a test: prints figures only.
import { evaluateCondition } from '../../engine/vars/expr.js';
import { mergeScope } from '../../engine/vars/scope.js';
import { renderValue } from '../../engine/vars/template.js';

const filler = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`var_${i}`, i % 3 ? `value ${i}` : { nested: i }]));
const hosts = Array.from({ length: 50 }, (_, i) => `web${i}`);
const args = {
  name: 'app-{{ item.name }}',
  dest: '{{ base }}/f{{ item.index }}.conf',
  mode: '0644',
  owner: '{{ owner }}',
  content: "port={{ hostvars.web1.port }}\nhost={{ inventory_hostname }}\nusers={{ users | join(',') }}\n",
  backup: true,
  validate: "{{ validate_cmd | default('true') }}",
};
const when = "item.enabled and inventory_hostname in groups.web and (port | int) > 1024";

function scopeFor(host: string, index: number) {
  return mergeScope({
    groupVars: [filler],
    playVars: { base: '/etc/app', owner: 'app', users: ['ada', 'bob'], port: '8080' },
    host: { inventory_hostname: host, group_names: ['web'] },
    magic: { groups: { all: hosts, web: hosts } },
    hostvars: (h) => ({ port: 8000 + hosts.indexOf(h) }),
    hostNames: hosts,
    loop: { item: { name: `n${index}`, index, enabled: true }, index0: index, length: 10 },
  });
}

function bench(label: string, n: number, f: (i: number) => void): void {
  for (let i = 0; i < Math.min(n, 2000); i++) f(i); // warm up (JIT, template cache)
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) f(i);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(`${label}: ${Math.round((n / ms) * 1000).toLocaleString('en')} /s (${(ms * 1000 / n).toFixed(2)} µs each, n=${n})`);
}

const scopes = hosts.flatMap((h) => Array.from({ length: 10 }, (_, i) => scopeFor(h, i)));
bench('mergeScope (200 vars + magic + loop)', 20_000, (i) => scopeFor(hosts[i % hosts.length]!, i % 10));
bench('renderValue(task args, 5 templated strings)', 100_000, (i) => renderValue(args, scopes[i % scopes.length]!));
bench('evaluateCondition(typical when)', 200_000, (i) => evaluateCondition(when, scopes[i % scopes.length]!));
bench('renderValue(one "{{ base }}/x" string)', 300_000, (i) => renderValue('{{ base }}/x', scopes[i % scopes.length]!));
bench('renderValue(a {% for %} statement over a list)', 100_000, (i) => renderValue('{% for u in users %}{{ u }}{% if not loop.last %},{% endif %}{% endfor %}', scopes[i % scopes.length]!));
let k = 0;
bench('first render of a new template text (parse+compile)', 3_000, () => renderValue(`{{ base }}/${k++}/{{ owner }}`, scopes[0]!));
