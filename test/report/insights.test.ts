import { beforeAll, describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import {
  type BenchReport,
  renderHtml,
  renderJson,
  renderTerminal,
  tiedConfigIds,
  validateReport,
} from '../../src/report/index.js';
import { examplesReport } from './fixture.js';

let report: BenchReport;

beforeAll(async () => {
  report = await examplesReport();
}, 60_000);

const NEW_FIELDS = ['causeSummary', 'tiedWithBest', 'triage', 'truncation', 'diagnostics'] as const;

/** The same report as a report.json written before the diagnostic fields existed. */
function older(r: BenchReport): Record<string, unknown> {
  const old = JSON.parse(renderJson(r)) as Record<string, unknown>;
  for (const k of NEW_FIELDS) delete old[k];
  for (const f of old.failures as Array<{ causes: Array<Record<string, unknown>> }>) {
    for (const c of f.causes) delete c.decisive;
  }
  return old;
}

const failsAt = (value: unknown, param: string) => {
  try {
    validateReport(value);
  } catch (err) {
    expect(err).toBeInstanceOf(RagscopeError);
    expect((err as RagscopeError).message.startsWith(`${param} must be`)).toBe(true);
    return;
  }
  throw new Error(`validateReport accepted a bad ${param}`);
};

describe('report diagnostics: JSON, validation and older reports (examples corpus)', () => {
  it('report.json opens with the warnings, the corpus triage, the cause summary and the ties', () => {
    const keys = Object.keys(JSON.parse(renderJson(report)));
    expect(keys.slice(0, 8)).toEqual([
      'version',
      'title',
      'createdAt',
      'tool',
      'warnings',
      'triage',
      'causeSummary',
      'tiedWithBest',
    ]);
    expect(validateReport(JSON.parse(renderJson(report)))).toBeTruthy();
  });

  it('reads and renders a report.json written before the diagnostic fields, marking ties from its comparisons', () => {
    const old = validateReport(older(report));
    expect(tiedConfigIds(old)).toEqual(new Set(report.tiedWithBest!.ids));
    const text = renderTerminal(old);
    expect(text).not.toContain('FAILURES BY CAUSE');
    for (const id of report.tiedWithBest!.ids) expect(text).toContain(`${id} =`);
    const page = renderHtml(old);
    expect(page).not.toContain('id="cause-summary"');
    expect(page).toContain('statistically tied with the best');
    expect(page).toContain('No diagnostics in this report.');
  });

  it('names the first bad diagnostic field by its path', () => {
    // biome-ignore lint/suspicious/noExplicitAny: patches parsed JSON in place
    const bad = (patch: (r: any) => void) => {
      const r = JSON.parse(renderJson(report));
      patch(r);
      return r;
    };
    failsAt(
      bad((r) => {
        r.causeSummary.byCause[0].count = -1;
      }),
      'report.causeSummary.byCause[0].count',
    );
    failsAt(
      bad((r) => {
        r.tiedWithBest.ids = ['no such config'];
      }),
      'report.tiedWithBest.ids[0]',
    );
    failsAt(
      bad((r) => {
        r.triage.effects[1].values.bm25 = 'high';
      }),
      'report.triage.effects[1].values["bm25"]',
    );
    failsAt(
      bad((r) => {
        r.diagnostics[2].abstention.answerable = 1.5;
      }),
      'report.diagnostics[2].abstention.answerable',
    );
    failsAt(
      bad((r) => {
        r.failures[0].causes[0].decisive = 'yes';
      }),
      'report.failures[0].causes[0].decisive',
    );
    failsAt(
      bad((r) => {
        r.truncation = [
          { chunker: 'x', model: 'm', maxTokens: 512, chunks: 3, over: 1, longest: 600, droppedChars: 9 },
        ];
      }),
      'report.truncation[0].example',
    );
  });
});
