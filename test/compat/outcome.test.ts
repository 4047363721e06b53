// The compat harness (npm run compat) reads both tools' output: the recap, the error that stopped a
// run, and its class. These pin how it reads them, on output in the two tools' real formats.
import { expect } from 'chai';
import { classify, label } from './classify.js';
import { finished, firstError, loadErrors, parseRecap, sameRecap, type RunOutcome } from './outcome.js';

const ANSIBLE = `PLAY [testhost] ****

TASK [fail softly] ****
fatal: [testhost]: FAILED! => {"changed": false, "msg": "first"}
...ignoring

TASK [in a block] ****
fatal: [testhost]: FAILED! => {"changed": false, "msg": "rescued one"}

TASK [the last] ****
fatal: [testhost]: FAILED! => {"changed": false, "msg": "Assertion failed", "assertion": "a == b", "evaluated_to": false}

PLAY RECAP ****
testhost                   : ok=3    changed=1    unreachable=0    failed=1    skipped=2    rescued=1    ignored=1
`;

const outcome = (status: number, output: string): RunOutcome => ({ status, timedOut: false, recap: parseRecap(output), firstError: firstError(output), seconds: 1 });

describe('compat harness: reading the tools\' output', () => {
  it('reads the last recap per host', () => {
    expect(parseRecap(ANSIBLE)).to.deep.equal({ testhost: { ok: 3, changed: 1, unreachable: 0, failed: 1, skipped: 2, rescued: 1, ignored: 1 } });
  });

  it('the stopping error is the last failure not marked ...ignoring, with its task; a load error wins', () => {
    expect(firstError(ANSIBLE)).to.match(/^TASK \[the last\]: fatal: \[testhost\]/);
    const load = "ERROR! unknown keyword or module 'ping'\n  --> tasks/main.yml:20:3\n\nERROR! unknown keyword or module 'win_file'\n";
    expect(firstError(load + ANSIBLE)).to.match(/^ERROR! unknown keyword or module 'ping'\n {2}-->/);
    expect(loadErrors(load)).to.deep.equal(["ERROR! unknown keyword or module 'ping'", "ERROR! unknown keyword or module 'win_file'"]);
  });

  it('finished means exit 0 and no failed or unreachable host; same recap compares every count', () => {
    const ok = ANSIBLE.replace('failed=1', 'failed=0');
    expect(finished(outcome(2, ANSIBLE))).to.equal(false);
    expect(finished(outcome(0, ok))).to.equal(true);
    expect(sameRecap(outcome(0, ok), outcome(0, ok))).to.equal(true);
    expect(sameRecap(outcome(0, ok), outcome(0, ok.replace('changed=1', 'changed=0')))).to.equal(false);
  });

  it('classifies a task failure by its result\'s msg and condition, not by its other text', () => {
    expect(label(classify(firstError(ANSIBLE)))).to.equal('assert failed (a result differs): a == b');
    const lookup = 'TASK [x]: failed: [h] => {"failed":true,"msg":"first_found: No file was found when using first_found.","stdout":"inventory"}';
    expect(label(classify(lookup))).to.equal('search path: lookup first_found found nothing');
    expect(label(classify("ERROR! module 'set_fact' needs its arguments as a mapping, not a string"))).to.equal('key=value arguments refused');
    expect(label(classify("ERROR! YAML: unsupported tag !unsafe\n --> a.yml:1:4"))).to.equal('YAML tag: !unsafe');
  });
});
