import { expect } from 'chai';
import type { ModuleTask } from '../../engine/compile/types.js';
import { readsMissingFacts } from '../../engine/run/fact-gathering.js';
import { lazyScope } from '../../engine/run/lazy-scope.js';

function task(args: unknown, when: string[] = [], loop?: unknown): ModuleTask {
  return { kind: 'task', id: String(Math.random()), name: 't', eff: { tags: [], when: when.map((expr) => ({ expr })), environment: [], vars: [] }, vars: {}, module: 'debug', args, kw: { loop } };
}

describe('fact gathering: which tasks read a fact the host lacks', () => {
  const scope = lazyScope({ ansible_host: '10.0.0.1', where: '{{ ansible_hostname }}', plain: 'x', nested: { deep: ['{{ where }}'] }, loops: '{{ ansible_loop.index }}' });

  it('a fact in an argument, a condition, a loop, or through variables (however deep) counts', () => {
    expect(readsMissingFacts(task({ msg: '{{ ansible_distribution }}' }), scope)).to.equal(true);
    expect(readsMissingFacts(task({ msg: 'x' }, ["ansible_facts['os_family'] == 'Debian'"]), scope)).to.equal(true);
    // every host has an empty ansible_facts until something gathers
    expect(readsMissingFacts(task({ msg: '{{ ansible_facts }}' }), lazyScope({ ansible_facts: {} }))).to.equal(true);
    expect(readsMissingFacts(task({}, [], '{{ ansible_mounts }}'), scope)).to.equal(true);
    expect(readsMissingFacts(task({ msg: '{{ where }}' }), scope)).to.equal(true);
    expect(readsMissingFacts(task({ msg: '{{ nested.deep[0] }}' }), scope)).to.equal(true);
  });

  it('connection variables, loop variables, plain text and facts the host already has do not', () => {
    expect(readsMissingFacts(task({ msg: '{{ ansible_host }} {{ ansible_user | default("root") }} {{ plain }}' }), scope)).to.equal(false);
    expect(readsMissingFacts(task({ msg: '{{ loops }} {{ ansible_loop_var }}' }), scope)).to.equal(false);
    expect(readsMissingFacts(task({ msg: 'ansible_hostname is only text here' }), scope)).to.equal(false);
    const gathered = lazyScope({ ansible_hostname: 'h', ansible_facts: { hostname: 'h' } });
    expect(readsMissingFacts(task({ msg: '{{ ansible_hostname }} {{ ansible_facts.hostname }}' }), gathered)).to.equal(false);
  });
});
