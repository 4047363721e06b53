// A scratch directory on the controller for one task: extracted archives, compressed layers.
// Removed when the task is done; the exit hook catches a run interrupted in between.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const open = new Set<string>();
let hooked = false;

export class Workspace {
  readonly dir: string;
  private n = 0;
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'gx-registry-push-'));
    open.add(this.dir);
    if (!hooked) {
      hooked = true;
      process.on('exit', () => {
        for (const d of open) rmSync(d, { recursive: true, force: true });
      });
    }
  }
  /** a fresh path inside the workspace */
  path(name: string): string {
    this.n += 1;
    return join(this.dir, `${this.n}-${name}`);
  }
  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
    open.delete(this.dir);
  }
}
