import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

/** Run an example script as a user would (`npx tsx examples/NAME.ts`) and return its stdout lines. */
function run(name: string): string[] {
  const out = execFileSync(process.execPath, [tsx, path.join('examples', name)], {
    cwd: root,
    encoding: 'utf8',
  });
  return out.split('\n').filter((l) => l.trim() !== '');
}

describe('the README shows what the examples really print', () => {
  it('examples/chunkers.ts: every output line is in the README, in order', () => {
    const lines = run('chunkers.ts');
    expect(lines.length).toBeGreaterThan(5);
    let from = 0;
    for (const line of lines) {
      const at = readme.indexOf(line, from);
      expect(at, `README is missing the output line: ${line}`).toBeGreaterThanOrEqual(0);
      from = at + line.length;
    }
  });

  it('examples/why-not.ts: the causes, fixes and replay verdict shown in the README are what it prints', () => {
    const lines = run('why-not.ts');
    const shown = lines.filter((l) => /^- |^ {2}fix: |^ {2}Vector: |^ {2}Fusion /.test(l)).slice(0, 6);
    expect(shown.length).toBe(6);
    for (const line of shown) expect(readme, `README is missing: ${line}`).toContain(line);
  });
});
