// The helm module's values check against the chart it installs: helm is the command double
// (test/doubles/helm), the chart archives are real — built here with tar from a values.yaml, a
// values.schema.json, a subchart packaged as .tgz under an alias, a subchart directory, an open map
// and a null default — and read by the module from the host through the connection.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import helm from '../../modules/helm.js';
import { loadChart, readArchive } from '../../modules/lib/k8s/chart-values.js';
import { makeK8sDoubles, type Call, type K8sDoubles } from '../doubles/kubectl/doubles.js';
import { rhythm, runModule, tempDir } from './harness.js';

const READS = new Set(['show', 'list', 'get']);
const mutating = (calls: Call[]) => calls.filter((c) => c.argv[0] === 'helm' && !READS.has(c.argv[1]!));

const WEB_VALUES = `replicas: 1
image:
  repository: web
  tag: "1.0"
podAnnotations: {}
extraEnv: []
config:
  log: info
  listen: ":8080"
proxy: null
global:
  imageRegistry: ""
`;
const WEB_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    replicas: { type: 'integer', minimum: 1 },
    image: { type: 'object', properties: { tag: { type: 'string' } }, required: ['repository'] },
  },
};
const PG_VALUES = `auth:
  username: app
  database: app
primary:
  resources: {}
global:
  postgresql:
    port: ""
`;
const PG_SCHEMA = { type: 'object', properties: { auth: { type: 'object', properties: { username: { type: 'string', maxLength: 8 } } } } };

describe('helm values checked against the chart (helm command double, real chart archives built by the test)', () => {
  let d: K8sDoubles;
  let charts: string;
  const snapshot = async () => [await d.read('helm.json'), await d.cluster()];

  /** web 1.2.0: postgresql 12.1.0 as charts/postgresql-12.1.0.tgz under the alias `db`, metrics as charts/metrics/. */
  async function chart(): Promise<{ dir: string; tgz: string }> {
    const work = join(charts, 'src');
    const pg = join(work, 'pg', 'postgresql');
    await mkdir(pg, { recursive: true });
    await writeFile(join(pg, 'Chart.yaml'), 'apiVersion: v2\nname: postgresql\nversion: 12.1.0\n');
    await writeFile(join(pg, 'values.yaml'), PG_VALUES);
    await writeFile(join(pg, 'values.schema.json'), JSON.stringify(PG_SCHEMA));
    const dir = join(work, 'web');
    await mkdir(join(dir, 'charts', 'metrics'), { recursive: true });
    await mkdir(join(dir, 'templates'), { recursive: true });
    await writeFile(join(dir, 'templates', 'deployment.yaml'), 'kind: Deployment\n');
    await writeFile(
      join(dir, 'Chart.yaml'),
      'apiVersion: v2\nname: web\nversion: 1.2.0\ndependencies:\n  - name: postgresql\n    version: 12.1.0\n    alias: db\n    condition: db.enabled\n    tags: [database]\n  - name: metrics\n    version: 0.1.0\n',
    );
    await writeFile(join(dir, 'values.yaml'), WEB_VALUES);
    await writeFile(join(dir, 'values.schema.json'), JSON.stringify(WEB_SCHEMA));
    await writeFile(join(dir, 'charts', 'metrics', 'Chart.yaml'), 'apiVersion: v2\nname: metrics\nversion: 0.1.0\n');
    await writeFile(join(dir, 'charts', 'metrics', 'values.yaml'), 'port: 9100\n');
    execFileSync('tar', ['-czf', join(dir, 'charts', 'postgresql-12.1.0.tgz'), '-C', join(work, 'pg'), 'postgresql']);
    const tgz = join(charts, 'web-1.2.0.tgz');
    execFileSync('tar', ['-czf', tgz, '-C', work, 'web']);
    return { dir, tgz };
  }

  beforeEach(async () => {
    d = await makeK8sDoubles();
    charts = await tempDir('gx-charts-');
  });

  it('unknown keys fail the task before any helm change, each named with the chart, its version and the closest key; check mode the same', async () => {
    const { tgz } = await chart();
    const args = { name: 'web', chart: tgz, values: { replcas: 2, image: { tga: '1.1' }, db: { auth: { usernme: 'x' } }, metrics: { prot: 1 }, valkey: { enabled: true }, 'valkey-cache': { enabled: true } } };
    const expected = [
      'web chart 1.2.0 has no value `replcas`; did you mean `replicas`?',
      'web chart 1.2.0 has no value `image.tga`; did you mean `image.tag`?',
      'web chart 1.2.0 has no value `db.auth.usernme`; did you mean `db.auth.username`?',
      'web chart 1.2.0 has no value `metrics.prot`; did you mean `metrics.port`?',
      'web chart 1.2.0 has no value `valkey.enabled`',
      'web chart 1.2.0 has no value `valkey-cache.enabled`',
      'nothing was installed. Fix the key, or, if the chart reads that map whole (a config block passed through), name it in values_open; values_check: false turns the check off.',
    ].join('\n');
    for (const check of [false, true]) {
      const r = await runModule(helm, args, { conn: d.conn, check });
      expect(r.failed, `check=${check}`).to.equal(true);
      expect(r.msg).to.equal(expected);
    }
    // only `helm show chart` ran: nothing listed, nothing installed
    expect((await d.calls()).map((c) => c.argv.slice(0, 3))).to.deep.equal([['helm', 'show', 'chart'], ['helm', 'show', 'chart']]);
    expect(await d.read('helm.json')).to.equal(null);
  });

  it("a name used for another one is suggested consistently: valkey-cluster → redis-cluster gives valkey → redis", async () => {
    const work = join(charts, 'g');
    await mkdir(join(work, 'gitea'), { recursive: true });
    await writeFile(join(work, 'gitea', 'Chart.yaml'), 'apiVersion: v2\nname: gitea\nversion: 11.0.1\n');
    await writeFile(join(work, 'gitea', 'values.yaml'), 'redis-cluster:\n  enabled: true\nredis:\n  enabled: false\ningress:\n  enabled: false\n');
    const tgz = join(charts, 'gitea-11.0.1.tgz');
    execFileSync('tar', ['-czf', tgz, '-C', work, 'gitea']);
    const r = await runModule(helm, { name: 'gitea', chart: tgz, values: { valkey: { enabled: false }, 'valkey-cluster': { enabled: false } } }, { conn: d.conn });
    expect(r.msg!.split('\n').slice(0, 2)).to.deep.equal([
      'gitea chart 11.0.1 has no value `valkey.enabled`; did you mean `redis.enabled`?',
      'gitea chart 11.0.1 has no value `valkey-cluster.enabled`; did you mean `redis-cluster.enabled`?',
    ]);
  });

  it('open maps (empty in values.yaml), null defaults, lists, subchart aliases, conditions, tags and every chart\'s globals are accepted', async () => {
    const { tgz } = await chart();
    const values = {
      podAnnotations: { 'linkerd.io/inject': 'enabled', 'a.b/c': 'x' },
      proxy: { http: { host: 'p', port: 3128 } },
      extraEnv: [{ name: 'A', value: 'b', anything: { goes: true } }],
      db: { enabled: true, auth: { username: 'app' }, primary: { resources: { limits: { memory: '1Gi' } } } },
      tags: { database: true },
      metrics: { port: 9200 },
      global: { imageRegistry: 'registry.local:5000', postgresql: { port: '5432' } },
    };
    const r = await runModule(helm, { name: 'web', chart: tgz, values }, { conn: d.conn });
    expect(r.failed, r.msg).to.equal(false);
    expect(r.changed).to.equal(true);
    expect(mutating(await d.calls())).to.have.length(1);
  });

  it('a config map that values.yaml fills with an example is refused until values_open names it (`*` matches one key)', async () => {
    const { tgz } = await chart();
    const values = { config: { log: 'debug', 'server.timeout': '30s' }, db: { primary: { podLabels: { a: 'b' } } } };
    const refused = await runModule(helm, { name: 'web', chart: tgz, values }, { conn: d.conn, check: true });
    expect(refused.failed).to.equal(true);
    expect(refused.msg!.split('\n').slice(0, 2)).to.deep.equal(['web chart 1.2.0 has no value `config."server.timeout"`', 'web chart 1.2.0 has no value `db.primary.podLabels.a`']);
    const open = await runModule(helm, { name: 'web', chart: tgz, values, values_open: ['config', '*.primary'] }, { conn: d.conn, check: true });
    expect(open.failed, open.msg).to.equal(false);
    expect(open.changed).to.equal(true);
    const off = await runModule(helm, { name: 'web', chart: tgz, values: { nothing: { like: 'this' } }, values_check: false }, { conn: d.conn, check: true });
    expect(off.failed, off.msg).to.equal(false);
  });

  it('values.schema.json violations (the chart\'s and a subchart\'s, on the defaults coalesced with the values) are reported as path and message', async () => {
    const { tgz } = await chart();
    const values = { replicas: 0, image: { tag: 2, repository: null }, db: { auth: { username: 'much-too-long' } } };
    for (const check of [true, false]) {
      const r = await runModule(helm, { name: 'web', chart: tgz, values }, { conn: d.conn, check });
      expect(r.failed).to.equal(true);
      expect(r.msg).to.equal([
        'web chart 1.2.0: value `replicas` must be >= 1 (values.schema.json of web 1.2.0)',
        'web chart 1.2.0: value `image.repository` is required (values.schema.json of web 1.2.0)',
        'web chart 1.2.0: value `image.tag` must be string (values.schema.json of web 1.2.0)',
        'web chart 1.2.0: value `db.auth.username` must NOT have more than 8 characters (values.schema.json of postgresql 12.1.0)',
        'nothing was installed; values_check: false turns the check off.',
      ].join('\n'));
    }
    expect(mutating(await d.calls())).to.deep.equal([]);
  });

  it('values_files, values_template and values are merged as helm merges them before the check', async () => {
    const { tgz } = await chart();
    const pb = await tempDir();
    await mkdir(join(pb, 'templates'));
    await writeFile(join(pb, 'templates', 'v.yaml.hbs'), 'image:\n  tga: "{{ tag }}"\n');
    const file = join(charts, 'base.yaml');
    await writeFile(file, 'replicas: 0\nextraEnvs: []\n');
    const r = await runModule(helm, { name: 'web', chart: tgz, values_files: [file], values_template: 'v.yaml.hbs', values: { replicas: 2 } }, { conn: d.conn, playbookDir: pb, vars: { tag: '1.1' } });
    expect(r.failed).to.equal(true);
    // replicas: 0 from the file is overridden by values (no schema error); the file's and the template's keys are checked
    expect(r.msg!.split('\n').slice(0, -1)).to.deep.equal(['web chart 1.2.0 has no value `extraEnvs`; did you mean `extraEnv`?', 'web chart 1.2.0 has no value `image.tga`; did you mean `image.tag`?']);
  });

  it('a correct release passes the check in the rhythm check → install → no change → check, from the .tgz and from the chart directory', async () => {
    const { tgz, dir } = await chart();
    const values = { replicas: 2, podAnnotations: { team: 'web' }, db: { enabled: true, auth: { username: 'web' } } };
    await rhythm(helm, { name: 'web', chart: tgz, namespace: 'web', create_namespace: true, values }, { conn: d.conn, snapshot });
    await rhythm(helm, { name: 'web2', chart: dir, values }, { conn: d.conn, snapshot });
    const bad = await runModule(helm, { name: 'web2', chart: dir, values: { replcas: 2 } }, { conn: d.conn, check: true });
    expect(bad.msg).to.match(/^web chart 1\.2\.0 has no value `replcas`; did you mean `replicas`\?/);
  });

  it('bytes that are not a chart archive are refused with the file named (the double\'s `helm show chart` would fail first)', async () => {
    const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: Error) => e);
    expect((await failure(readArchive(Buffer.from('\x1f\x8bnot gzip'), '/opt/charts/broken.tgz')))?.message).to.match(/^\/opt\/charts\/broken\.tgz is not a readable chart archive: /);
    expect((await failure(loadChart(new Map(), '/opt/charts/empty.tgz')))?.message).to.equal('/opt/charts/empty.tgz holds no Chart.yaml');
  });
});
