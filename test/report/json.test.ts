import { expect } from 'chai';
import type { GxEvent } from '../../engine/report/events.js';
import { JsonReporter } from '../../engine/report/json.js';
import { Unknown } from '../../engine/vars/unknown.js';
import { CaptureStream, ev } from './helpers.js';

describe('report/json', () => {
  it('writes one JSON object per event, one per line, that parse back to the events', async () => {
    const out = new CaptureStream();
    const r = new JsonReporter({ stream: out });
    const events: GxEvent[] = [
      ev.run(true, true),
      ev.play('p', ['a']),
      ev.task('t1', 'multi\nline name', ['a'], { line: 3 }),
      ev.item('t1', { host: 'a', status: 'changed', item: { k: 'v' }, diff: [{ label: 'f', before: 'a\n', after: 'b\n' }] }),
      ev.host('t1', { host: 'a', status: 'changed', data: { rc: 0, lines: ['x', 'y'] } }),
      ev.taskEnd('t1', 7),
      ev.recap({ a: { ok: 1, changed: 1 } }),
    ];
    for (const e of events) r.handle(e);
    await r.close();
    const lines = out.text.split('\n');
    expect(lines.pop()).to.equal('');
    expect(lines).to.have.length(events.length);
    expect(lines.map((l) => JSON.parse(l))).to.deep.equal(JSON.parse(JSON.stringify(events)));
  });

  it('serialises Unknown through toJSON, bigints as strings, and cycles without throwing', () => {
    const out = new CaptureStream();
    const data: Record<string, unknown> = { stdout: new Unknown(), big: 10n };
    data.self = data;
    new JsonReporter({ stream: out }).handle(ev.host('t', { host: 'a', status: 'ok', check: true, data }));
    const parsed = JSON.parse(out.text) as { result: { data: Record<string, unknown> } };
    expect(parsed.result.data).to.deep.equal({ stdout: '<unknown: not known in check mode>', big: '10', self: '[Circular]' });
  });
});
