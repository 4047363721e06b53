// Property-based: whatever a user writes — spaces, quotes, $(), backticks, newlines, unicode,
// leading dashes, globs — reaches the host literally through copy, file and command.
import { expect } from 'chai';
import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { lstat, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { shellQuote } from '../../engine/connect/connection.js';
import { runModule, tempDir } from './harness.js';

const nasty = fc.constantFrom(' ', '  ', "'", '"', '$(', ')', '$(id)', '`', '`id`', '\n', '\t', '-', '--', '-rf', '\\', ';', '|', '&', '*', '?', '[a]', '~', '%s', '{{', '=', 'é', '日本', '🚀', '$HOME', '>', '<', '#');
const text = fc.array(fc.oneof(nasty, fc.string({ minLength: 1, maxLength: 4 })), { minLength: 1, maxLength: 8 }).map((parts) => parts.join(''));
/** a name one directory entry can have (no slash, no NUL, not . or ..; short enough for any filesystem) */
const fileName = text
  .map((s) => s.replace(/[/\0]/g, '_').slice(0, 100))
  .filter((s) => s !== '' && s !== '.' && s !== '..' && Buffer.byteLength(s) < 250);

const RUNS = 40;

describe('literal paths and contents (property-based)', () => {
  it('copy writes any content to any file name, byte for byte', async () => {
    const dir = await tempDir();
    await fc.assert(
      fc.asyncProperty(fileName, text, async (name, content) => {
        const dest = join(dir, name);
        const r = await runModule('copy', { content, dest });
        expect(r.failed, r.msg).to.equal(false);
        expect(await readFile(dest, 'utf8')).to.equal(content);
        expect((await runModule('copy', { content, dest })).changed).to.equal(false);
      }),
      { numRuns: RUNS },
    );
    // nothing landed anywhere but the names asked for (no temp file, no shell-created stray)
    for (const e of await readdir(dir)) expect(e.startsWith('.') && e.includes('.gx-'), e).to.equal(false);
  });

  it('file creates and removes directories and links with any name', async () => {
    const dir = await tempDir();
    await fc.assert(
      fc.asyncProperty(fileName, fileName, async (a, b) => {
        const d = join(dir, a);
        expect((await runModule('file', { path: d, state: 'directory' })).failed).to.equal(false);
        expect((await lstat(d)).isDirectory()).to.equal(true);
        const l = join(d, b);
        const link = await runModule('file', { path: l, src: a, state: 'link', force: true });
        expect(link.failed, link.msg).to.equal(false);
        expect((await lstat(l)).isSymbolicLink()).to.equal(true);
        expect((await runModule('file', { path: d, state: 'absent' })).changed).to.equal(true);
        expect(existsSync(d)).to.equal(false);
      }),
      { numRuns: RUNS },
    );
    expect(await readdir(dir)).to.deep.equal([]);
  });

  it('command passes argv items, and shell-quoted free-form words, unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 3 }), async (words) => {
        // Ansible's run_command expands $NAME and a leading ~ in every word, argv too (expand_user_and_vars)
        if (words.some((w) => w.includes('$') || w.startsWith('~'))) return;
        const viaArgv = await runModule('command', { argv: ['printf', '%s\\0', ...words], strip_empty_ends: false });
        expect(viaArgv.data.stdout).to.equal(words.map((w) => `${w}\0`).join(''));
        // free-form text is read by Ansible's split_args: words are joined across {{ }} (quoted or
        // not) and a quote after a backslash does not close; such words are data only through argv
        const line = ['printf', '%s\\0', ...words].map(shellQuote).join(' ');
        if (words.some((w) => /\{[{%#]|[}%#]\}/.test(w)) || /\\['"]/.test(line)) return;
        const viaText = await runModule('command', `${line} strip_empty_ends=false`);
        expect(viaText.data.stdout).to.equal(words.map((w) => `${w}\0`).join(''));
      }),
      { numRuns: RUNS },
    );
  });
});
