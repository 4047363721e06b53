// The plain reporter: Ansible-like text for CI logs and pipes, written as events arrive.
import type { GxEvent, Reporter } from './events.js';
import { useColor } from './colors.js';
import { PlainFormatter } from './plain-format.js';

export interface PlainReporterOptions {
  verbosity: number;
  /** force colors on or off; default: NO_COLOR / FORCE_COLOR, else only on a TTY */
  color?: boolean;
  profile?: boolean;
  stream?: NodeJS.WritableStream;
}

export class PlainReporter implements Reporter {
  private readonly stream: NodeJS.WritableStream;
  private readonly formatter: PlainFormatter;

  constructor(opts: PlainReporterOptions) {
    this.stream = opts.stream ?? process.stdout;
    this.formatter = new PlainFormatter({ verbosity: opts.verbosity, color: useColor(this.stream, opts.color), profile: opts.profile ?? false });
  }

  handle(e: GxEvent): void {
    const text = this.formatter.format(e);
    if (text !== '') this.stream.write(text);
  }

  close(): Promise<void> {
    return flush(this.stream);
  }
}

/** Resolves once everything written so far has been handed to the OS; never ends the stream. */
export function flush(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    if ((stream as { writableEnded?: boolean }).writableEnded || (stream as { destroyed?: boolean }).destroyed) return resolve();
    stream.write('', () => resolve());
  });
}
