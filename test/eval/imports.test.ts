import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '../../src/eval');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

describe('ragscope/eval stays pure JavaScript', () => {
  it('imports only node built-ins, csv-parse and relative modules (no native code, nothing heavy)', () => {
    const specifiers = files(SRC).flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/^(?:import|export)[^'"]*from\s+'([^']+)'/gm)].map(
        (m): [string, string] => [f, m[1]!],
      ),
    );
    expect(specifiers.length).toBeGreaterThan(20);
    for (const [file, spec] of specifiers) {
      const ok =
        spec.startsWith('node:') || spec === 'csv-parse' || (spec.startsWith('.') && spec.endsWith('.js'));
      expect(ok, `${path.relative(SRC, file)} imports ${spec}`).toBe(true);
    }
  });
});
