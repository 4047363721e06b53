// With agents (inventory.yaml: vm_agents) the workloads that benefit spread over the nodes: the
// ingress controllers and the API's replicas get a topology spread by hostname. With no agents,
// the single-VM values and manifests are exactly what they were (no constraint at all).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { renderTemplateFile } from '../../engine/vars/template.js';
import { validateManifestText } from '../../modules/lib/k8s/validate-text.js';
import { apiRoleVars, defaultScope, REPO, TEMPLATES } from './helpers.js';

const AGENTS = [{ name: 'gauntlet-a1', cpus: 2, memory: '4G', disk: '20G' }];
const SPREAD = { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' };

describe('workloads spread over the nodes when there are agents', () => {
  it('ingress-nginx: a topology spread of the controller pods with agents, none without', async () => {
    const render = async (extra: Record<string, unknown>) => parse(renderTemplateFile(readFileSync(join(TEMPLATES, 'ingress', 'values.yaml.hbs'), 'utf8'), await defaultScope(extra), { path: 'ingress/values.yaml.hbs' })) as any;
    expect((await render({})).controller).to.not.have.property('topologySpreadConstraints');
    const spread = (await render({ vm_agents: AGENTS })).controller.topologySpreadConstraints;
    expect(spread).to.deep.equal([{ ...SPREAD, labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' } } }]);
  });

  it('the API deployment: its replicas spread with api_spread (the inventory passes vm_agents), a valid manifest either way', async () => {
    const render = (vars: Record<string, unknown>) => renderTemplateFile(readFileSync(join(REPO, 'templates', 'api', 'deployment.yaml.hbs'), 'utf8'), vars, { path: 'api/deployment.yaml.hbs' });
    const single = render(apiRoleVars());
    expect(single).to.not.contain('topologySpreadConstraints');
    const text = render(apiRoleVars({ api_spread: AGENTS }));
    expect(validateManifestText(text, 'deployment')).to.deep.equal([]);
    const [dep] = parseAllDocuments(text).map((d) => d.toJS());
    expect(dep.spec.template.spec.topologySpreadConstraints).to.deep.equal([{ ...SPREAD, labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'api' } } }]);
    // the inventory wires the role's api_spread to vm_agents
    const scope = await defaultScope({ vm_agents: AGENTS });
    expect(scope.api_spread).to.deep.equal(AGENTS);
    expect((await defaultScope()).api_spread).to.deep.equal([]);
  });
});
