// kubectl with the REAL kubectl binary (this machine's image ships kubectl 1.32) against a loopback
// fake API server (test/doubles/kubectl/fake-apiserver.ts): proves what the command double relies on
// — `serverside-applied` result lines, `kubectl diff` exit codes and LIVE/MERGED file names, the full
// before/after that KUBECTL_EXTERNAL_DIFF="diff -N -U999999" gives, and that `kubectl diff` asks for
// no strict field validation while the (dry-run) apply does.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { LocalConnection } from '../../engine/connect/local.js';
import kubectl from '../../modules/kubectl.js';
import { EnvConnection } from '../doubles/doubles.js';
import { startFakeApiServer, type FakeApiServer } from '../doubles/kubectl/fake-apiserver.js';
import { rhythm, runModule, tempDir } from './harness.js';

const cm = (name: string, k: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { k } });

describe('kubectl (real kubectl binary, loopback fake API server)', () => {
  let api: FakeApiServer;
  let conn: EnvConnection;
  before(() => {
    try {
      execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    } catch {
      throw new Error('these tests need the kubectl binary on PATH (the machine image ships /usr/bin/kubectl)');
    }
  });
  beforeEach(async () => {
    const dir = await tempDir('gx-kubectl-real-');
    api = await startFakeApiServer(dir);
    conn = new EnvConnection(new LocalConnection('localhost'), { KUBECONFIG: api.kubeconfig, KUBECACHEDIR: `${dir}/cache` });
  });
  afterEach(() => api.close());

  it('apply, no change, check: the requests kubectl really sends', async () => {
    const r = await rhythm(kubectl, { definition: [cm('a', '1'), cm('b', '1')] }, { conn, snapshot: async () => JSON.stringify([...api.objects]) });
    expect(r.apply.data.result).to.deep.equal(['configmap/a serverside-applied', 'configmap/b serverside-applied']);
    const patches = api.requests.filter((q) => q.startsWith('PATCH'));
    const diffPatch = (n: string) => `PATCH /api/v1/namespaces/default/configmaps/${n}?dryRun=All&fieldManager=gx&force=false`;
    expect(patches).to.deep.equal([
      // check: kubectl diff (dry run, no fieldValidation), then the dry-run apply (strict)
      diffPatch('a'),
      diffPatch('b'),
      'PATCH /api/v1/namespaces/default/configmaps/a?dryRun=All&fieldManager=gx&fieldValidation=Strict&force=false',
      'PATCH /api/v1/namespaces/default/configmaps/b?dryRun=All&fieldManager=gx&fieldValidation=Strict&force=false',
      // apply
      diffPatch('a'),
      diffPatch('b'),
      'PATCH /api/v1/namespaces/default/configmaps/a?fieldManager=gx&fieldValidation=Strict&force=false',
      'PATCH /api/v1/namespaces/default/configmaps/b?fieldManager=gx&fieldValidation=Strict&force=false',
      // again, check again: kubectl diff only
      diffPatch('a'),
      diffPatch('b'),
      diffPatch('a'),
      diffPatch('b'),
    ]);
  });

  it('one object changed: kubectl diff exits 1 naming it v1.ConfigMap.default.b, with the whole object on both sides', async () => {
    await runModule(kubectl, { definition: [cm('a', '1'), cm('b', '1')] }, { conn });
    const r = await runModule(kubectl, { definition: [cm('a', '1'), cm('b', '2')] }, { conn, diff: true });
    expect(r.failed, r.msg).to.equal(false);
    expect(r.msg).to.equal('configure configmap/b');
    expect(r.data.result).to.deep.equal(['configmap/b serverside-applied']);
    expect(r.diff).to.deep.equal([
      {
        label: 'configmap/b (namespace default)',
        before: 'apiVersion: v1\ndata:\n  k: "1"\nkind: ConfigMap\nmetadata:\n  creationTimestamp: "2024-05-01T10:00:00Z"\n  name: b\n  namespace: default\n  resourceVersion: "102"\n  uid: uid-b\n',
        after: 'apiVersion: v1\ndata:\n  k: "2"\nkind: ConfigMap\nmetadata:\n  creationTimestamp: "2024-05-01T10:00:00Z"\n  name: b\n  namespace: default\n  resourceVersion: "102"\n  uid: uid-b\n',
      },
    ]);
  });

  it('a namespace nobody creates: kubectl diff exits >1 with the server\'s message', async () => {
    const r = await runModule(kubectl, { definition: { ...cm('a', '1'), metadata: { name: 'a', namespace: 'nowhere' } } }, { conn });
    expect(r.failed).to.equal(true);
    // word for word what the command double answers
    expect(r.msg).to.equal('kubectl diff --server-side --field-manager=gx -f - exited 2: Error from server (NotFound): namespaces "nowhere" not found');
  });

  it('state=absent: get -o json -f - and delete, then ok', async () => {
    await runModule(kubectl, { definition: [cm('a', '1'), cm('b', '1')] }, { conn });
    const r = await runModule(kubectl, { definition: [cm('a', '1'), cm('b', '1'), cm('c', '1')], state: 'absent' }, { conn });
    expect(r.changed).to.equal(true);
    expect(r.data.result).to.deep.equal(['configmap "b" deleted', 'configmap "a" deleted']);
    const again = await runModule(kubectl, { definition: [cm('a', '1'), cm('b', '1'), cm('c', '1')], state: 'absent' }, { conn });
    expect(again.changed).to.equal(false);
    expect(again.failed).to.equal(false);
  });
});
