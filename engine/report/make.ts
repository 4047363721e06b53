// The reporters a run gets, from the CLI's --output / -v / --profile / color choices.
import type { Reporter } from './events.js';
import { JsonReporter } from './json.js';
import { PlainReporter } from './plain.js';
import { TtyReporter } from './tty.js';

export interface ReporterOptions {
  output: 'auto' | 'plain' | 'tty' | 'json';
  verbosity: number;
  color?: boolean;
  profile: boolean;
  stream?: NodeJS.WritableStream;
}

export function makeReporters(opts: ReporterOptions): Reporter[] {
  const stream = opts.stream ?? process.stdout;
  const isTTY = (stream as { isTTY?: boolean }).isTTY === true;
  const common = { verbosity: opts.verbosity, color: opts.color, profile: opts.profile, stream };
  switch (opts.output) {
    case 'json':
      return [new JsonReporter({ stream })];
    case 'plain':
      return [new PlainReporter(common)];
    case 'tty':
    case 'auto':
      // a live area on something that is not a terminal is garbage in a log file: degrade to plain
      return [isTTY ? new TtyReporter(common) : new PlainReporter(common)];
  }
}
