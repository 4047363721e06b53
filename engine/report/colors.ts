// Whether to color, decided once per reporter: an explicit option wins, then NO_COLOR / FORCE_COLOR
// (https://no-color.org), then whether the stream is a terminal. picocolors alone would look at
// process.stdout, not at the stream we actually write to.
import pc from 'picocolors';

export type Colors = ReturnType<typeof pc.createColors>;

export function useColor(stream: NodeJS.WritableStream | undefined, forced?: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (forced !== undefined) return forced;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return (stream as { isTTY?: boolean } | undefined)?.isTTY === true;
}

export function colors(enabled: boolean): Colors {
  return pc.createColors(enabled);
}
