import { describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import { renderTerminal } from '../../src/report/index.js';
import { fixtureReport } from './fixture.js';

const ESC = '\u001b';

function rowOf(out: string, configId: string): string {
  const row = out.split('\n').find((l) => l.startsWith(`│ ${configId} `));
  if (!row) throw new Error(`no row for ${configId} in\n${out}`);
  return row;
}

describe('renderTerminal (fixture report)', () => {
  const report = fixtureReport();
  const plain = renderTerminal(report, { color: false });

  it('shows the warnings in a banner at the top AND at the bottom', () => {
    const lines = plain.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^!{100}$/);
    expect(lines[1]).toMatch(/^!! WARNING: EMBEDDER FALLBACK/);
    expect(lines.at(-1)).toMatch(/^!{100}$/);
    expect(plain.match(/WARNING: EMBEDDER FALLBACK/g)).toHaveLength(2);
    expect(plain).toContain('Embedder: hashing:256 (256 dimensions) [FALLBACK]');
  });

  it('has one row per config with every metric, the best per column marked *, NaN as n/a', () => {
    expect(plain).toMatch(/│ Config +│ Chunks │ Mean chars │ recall@5 │ +iou@5 │ ndcg_cut@10 │ +Time │/);
    const best = rowOf(plain, 'sentence:3 + hybrid');
    expect(best).toMatch(/0\.850 \* │ 0\.170 \* │ +0\.765 \* │/);
    const other = rowOf(plain, 'recursive:400/0 + bm25');
    expect(other).toMatch(/│ +100 │ +380 │ +0\.500 +│ +0\.100 +│ +0\.450 +│ +34 ms │/);
    expect(other).not.toContain('*');
    expect(rowOf(plain, 'fixed:200/0 + bm25')).toContain('n/a');
    expect(plain.match(/ \* │/g)).toHaveLength(3);
  });

  it('lists comparisons with p-values, failures and the gate, without colour codes', () => {
    expect(plain).toMatch(
      /│ recursive:400\/0 \+ hybrid +│ recursive:400\/0 \+ bm25 +│ recall@5 │ +4 │ +1 │ +3 │ +0\.031 │/,
    );
    expect(plain).toContain('<0.001');
    expect(plain).toContain('Failures: 2 (config, question) pairs over 2 questions');
    expect(plain).toContain('Gate recall@5=0.8: FAILED');
    expect(plain).not.toContain(ESC);
  });

  it('colours the best cells and the banner with color: true', () => {
    const coloured = renderTerminal(report, { color: true });
    expect(coloured).toContain(`${ESC}[1m${ESC}[32m0.850 *${ESC}[0m`);
    expect(coloured).toContain(`${ESC}[1m${ESC}[31m!! WARNING: EMBEDDER FALLBACK`);
  });

  it('selects metric columns and rejects unknown ones', () => {
    const out = renderTerminal(report, { metrics: ['iou@5'] });
    const header = out.split('\n').find((l) => l.startsWith('│ Config'));
    expect(header).toMatch(/│ Config +│ Chunks │ Mean chars │ +iou@5 │ +Time │/);
    expect(() => renderTerminal(report, { metrics: ['recall@50'] })).toThrow(RagscopeError);
    expect(() => renderTerminal(report, { metrics: ['recall@50'] })).toThrow(
      /options\.metrics .*"recall@50"/,
    );
    expect(() => renderTerminal(report, { width: 10 })).toThrow(/options\.width/);
  });

  it('strips terminal escape sequences from report strings', () => {
    const r = fixtureReport();
    r.configs[0]!.id = `evil${ESC}[2J${ESC}]0;pwned\u0007 + bm25`;
    r.title = 'title\nwith newline';
    const out = renderTerminal(r, { color: false });
    expect(out).not.toContain(ESC);
    expect(out).toContain('evil + bm25');
    expect(out).toContain('title with newline');
  });

  it('says so when there is nothing to show, and has no banner without warnings', () => {
    const r = { ...fixtureReport(), configs: [], warnings: [], embedder: { id: 'm', dimensions: 3 } };
    const out = renderTerminal(r);
    expect(out).toContain('No configurations were benchmarked.');
    expect(out).not.toContain('!!');
  });
});
