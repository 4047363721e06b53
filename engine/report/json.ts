// --output json: one JSON object per line per event, exactly the event after redaction, for tools
// that post-process a run. Unknown values serialise through their toJSON.
import type { GxEvent, Reporter } from './events.js';
import { safeJson } from './json-safe.js';
import { flush } from './plain.js';

export class JsonReporter implements Reporter {
  private readonly stream: NodeJS.WritableStream;

  constructor(opts: { stream?: NodeJS.WritableStream } = {}) {
    this.stream = opts.stream ?? process.stdout;
  }

  handle(e: GxEvent): void {
    this.stream.write(safeJson(e) + '\n');
  }

  close(): Promise<void> {
    return flush(this.stream);
  }
}
