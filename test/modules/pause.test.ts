import { expect } from 'chai';
import { terminal } from '../../modules/pause.js';
import { runModule } from './harness.js';

describe('pause module', () => {
  it('waits the given time, in check mode too, and reports the wait', async () => {
    for (const check of [false, true]) {
      const r = await runModule('pause', { seconds: 0.01 }, { check });
      expect(r).to.include({ changed: false, failed: false, skipped: false });
      expect(r.data).to.include({ user_input: '', echo: true });
      expect(r.data.delta).to.be.a('number');
      expect(Date.parse(String(r.data.stop))).to.be.at.least(Date.parse(String(r.data.start)));
    }
  });

  it('fails instead of hanging when it would prompt without a terminal', async () => {
    const real = terminal.interactive;
    terminal.interactive = () => false;
    try {
      const r = await runModule('pause', { prompt: 'Press Enter when the dashboard is green' });
      expect(r.failed).to.equal(true);
      expect(r.msg).to.match(/needs a terminal to prompt/);
    } finally {
      terminal.interactive = real;
    }
  });
});
