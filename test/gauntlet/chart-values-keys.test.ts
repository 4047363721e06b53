// Every value the gauntlet gives a chart is a key that chart has, at the version the bundle pins.
// A key the chart does not know is silently ignored by helm (none of these charts has a
// values.schema.json that would refuse it), so a misremembered key only shows on a real machine:
// gitea-values once switched off `valkey`/`valkey-cluster`, which only exist from gitea chart 12,
// and left chart 11's default redis-cluster on (its image is not in the bundle).
//
// The key lists in chart-keys/ are data taken from each chart's values.yaml at the pinned version
// (the header of each file names the repository, tag and path read): leaf key paths, maps that are
// empty in values.yaml marked `.*` (open: any key beneath), list-valued keys stopping at the key,
// segments holding a dot quoted. OPEN names the maps a chart documents as free-form although its
// values.yaml fills them with an example.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { checkValues, valuesCheckMessage } from '../../modules/lib/k8s/chart-values.js';
import { renderTemplateFile } from '../../engine/vars/template.js';
import { valuesFromKeyList } from './fake-bundle.js';
import { defaultScope, PLAYBOOKS, TEMPLATES } from './helpers.js';

const KEYS = join(dirname(fileURLToPath(import.meta.url)), 'chart-keys');

interface Case {
  template: string;
  chart: string;
  version: string;
  /** free-form maps the chart's templates pass through whole (e.g. app.ini sections) */
  open?: string[];
  /** subchart dependency conditions (Chart.yaml `condition:`) that must be false */
  disabled?: string[];
}

const CASES: Case[] = [
  // gitea: gitea.config is rendered section by section into app.ini (templates/gitea/config.yaml)
  { template: 'gitops/gitea-values.yaml.hbs', chart: 'gitea', version: 'gitea_chart_version', open: ['gitea.config'], disabled: ['redis-cluster.enabled', 'redis.enabled', 'postgresql.enabled', 'postgresql-ha.enabled'] },
  // argo-cd: configs.params and configs.cm become ConfigMap data, any key
  { template: 'gitops/argocd-values.yaml.hbs', chart: 'argo-cd', version: 'argocd_chart_version', open: ['configs.params', 'configs.cm'] },
  // ingress-nginx: controller.config becomes the controller's ConfigMap, any key
  { template: 'ingress/values.yaml.hbs', chart: 'ingress-nginx', version: 'ingress_nginx_chart_version', open: ['controller.config'] },
  { template: 'mesh/control-plane-values.yaml.hbs', chart: 'linkerd-control-plane', version: 'linkerd_control_plane_chart_version' },
  { template: 'mesh/viz-values.yaml.hbs', chart: 'linkerd-viz', version: 'linkerd_viz_chart_version' },
];

const seg = (k: string) => (k.includes('.') ? `"${k}"` : k);

/** Leaf key paths of a values document, as the key lists write them. */
function leafPaths(v: unknown, prefix = ''): string[] {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || Object.keys(v).length === 0) return [prefix];
  return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => leafPaths(x, prefix ? `${prefix}.${seg(k)}` : seg(k)));
}

/** The paths of `paths` that the chart does not define. */
export function unknownKeys(paths: string[], known: string[], open: string[] = []): string[] {
  const exact = new Set(known.filter((k) => !k.endsWith('.*')));
  const prefixes = [...known.filter((k) => k.endsWith('.*')).map((k) => k.slice(0, -2)), ...open];
  return paths.filter((p) => !exact.has(p) && !prefixes.some((o) => p === o || p.startsWith(`${o}.`)) && ![...exact].some((k) => p.startsWith(`${k}.`)));
}

describe('gauntlet chart values: every key is one the pinned chart defines (key lists from upstream values.yaml)', () => {
  for (const c of CASES) {
    it(`${c.template} against ${c.chart} at the inventory's ${c.version}`, async () => {
      const scope = await defaultScope();
      const version = String(scope[c.version]);
      const known = parse(readFileSync(join(KEYS, `${c.chart}-${version}.yaml`), 'utf8')) as string[];
      const values = parse(renderTemplateFile(readFileSync(join(TEMPLATES, c.template), 'utf8'), scope, { path: c.template })) as Record<string, unknown>;
      expect(unknownKeys(leafPaths(values), known, c.open), `${c.chart} ${version} has no such value`).to.deep.equal([]);
      // with agents (vm_agents), the values that spread the workloads over the nodes are the chart's too
      const spread = parse(renderTemplateFile(readFileSync(join(TEMPLATES, c.template), 'utf8'), await defaultScope({ vm_agents: [{ name: 'gauntlet-a1', cpus: 2, memory: '4G', disk: '20G' }] }), { path: c.template })) as Record<string, unknown>;
      expect(unknownKeys(leafPaths(spread), known, c.open), `${c.chart} ${version} has no such value (with vm_agents)`).to.deep.equal([]);
      for (const d of c.disabled ?? []) {
        expect(known, `${d} is a value of ${c.chart} ${version}`).to.include(d);
        expect(d.split('.').reduce<any>((o, k) => o?.[k], values), d).to.equal(false);
      }
    });
  }

  /** The helm task of playbooks/*.yaml that renders `template`. */
  function helmTask(template: string): Record<string, any> {
    for (const f of ['ingress', 'mesh', 'db', 'gitops']) {
      const plays = parse(readFileSync(join(PLAYBOOKS, `${f}.yaml`), 'utf8')) as Array<Record<string, any>>;
      for (const t of plays.flatMap((p) => p.tasks ?? [])) if (t.helm?.values_template === template) return t.helm;
    }
    throw new Error(`no helm task renders ${template}`);
  }

  for (const c of CASES) {
    it(`the helm module's own check passes ${c.template} with the playbook's values_open against a ${c.chart} chart built from the key list`, async () => {
      const scope = await defaultScope();
      const version = String(scope[c.version]);
      const known = parse(readFileSync(join(KEYS, `${c.chart}-${version}.yaml`), 'utf8')) as string[];
      const values = parse(renderTemplateFile(readFileSync(join(TEMPLATES, c.template), 'utf8'), scope, { path: c.template })) as Record<string, unknown>;
      const task = helmTask(c.template);
      expect(task.values_open ?? [], 'the playbook names the open maps this test names').to.deep.equal(c.open ?? []);
      const chart = { name: c.chart, version, defaults: valuesFromKeyList(known), subcharts: [], switches: [] };
      expect(valuesCheckMessage(checkValues(chart, values, task.values_open ?? []))).to.equal('');
    });
  }

  it('the check itself: the valkey keys of gitea chart 12 are refused by the 11.0.1 list, an open map accepts anything', () => {
    const known = parse(readFileSync(join(KEYS, 'gitea-11.0.1.yaml'), 'utf8')) as string[];
    expect(unknownKeys(['valkey.enabled', 'valkey-cluster.enabled', 'redis-cluster.enabled'], known)).to.deep.equal(['valkey.enabled', 'valkey-cluster.enabled']);
    expect(unknownKeys(['gitea.config.database.HOST', 'ingress.annotations."a.b/c"'], known, ['gitea.config'])).to.deep.equal([]);
    expect(unknownKeys(['gitea.config.database.HOST'], known)).to.deep.equal(['gitea.config.database.HOST']);
  });
});
