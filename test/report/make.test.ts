import { expect } from 'chai';
import { JsonReporter } from '../../engine/report/json.js';
import { makeReporters } from '../../engine/report/make.js';
import { PlainReporter } from '../../engine/report/plain.js';
import { TtyReporter } from '../../engine/report/tty.js';
import { CaptureStream, ev } from './helpers.js';

describe('report/make', () => {
  it('auto and tty: live on a terminal, plain on a pipe', async () => {
    const tty = makeReporters({ output: 'auto', verbosity: 0, profile: false, color: false, stream: new CaptureStream({ columns: 80, rows: 24 }) });
    expect(tty).to.have.length(1);
    expect(tty[0]).to.be.instanceOf(TtyReporter);
    await tty[0]!.close();
    for (const output of ['auto', 'tty'] as const) {
      const [r] = makeReporters({ output, verbosity: 0, profile: false, stream: new CaptureStream() });
      expect(r).to.be.instanceOf(PlainReporter);
    }
  });

  it('plain and json are what they say, and pass verbosity, color and profile on', () => {
    const out = new CaptureStream();
    const [p] = makeReporters({ output: 'plain', verbosity: 2, profile: true, color: true, stream: out });
    expect(p).to.be.instanceOf(PlainReporter);
    p!.handle(ev.task('t', 'x', ['a'], { line: 9 }));
    p!.handle(ev.taskEnd('t', 1500));
    p!.handle(ev.host('t', { host: 'a', status: 'ok' }));
    p!.handle(ev.recap({ a: { ok: 1 } }));
    expect(out.text).to.include('task path: site.yaml:9:7');
    expect(out.text).to.include('\x1b[32mok: [a]\x1b[39m');
    expect(out.text).to.match(/x \(site\.yaml:9\) -+ 1\.50s/);
    const [j] = makeReporters({ output: 'json', verbosity: 0, profile: false, stream: new CaptureStream({ columns: 80, rows: 24 }) });
    expect(j).to.be.instanceOf(JsonReporter);
  });
});
