import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderHtml, renderJson, renderTerminal, writeReport } from '../../src/report/index.js';
import { fixtureReport } from './fixture.js';

describe('writeReport', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'ragscope-report-write-'));
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('writes report.json and report.html by default into a new directory, leaving no temp files', async () => {
    const report = fixtureReport();
    const dir = path.join(tmp, 'a', 'b');
    const paths = await writeReport(report, { dir });
    expect(paths).toEqual({ json: path.join(dir, 'report.json'), html: path.join(dir, 'report.html') });
    expect((await readdir(dir)).sort()).toEqual(['report.html', 'report.json']);
    expect(await readFile(paths.json!, 'utf8')).toBe(renderJson(report));
    expect(await readFile(paths.html!, 'utf8')).toBe(renderHtml(report));
  });

  it('replaces existing files and writes the plain-text table', async () => {
    await writeFile(path.join(tmp, 'report.txt'), 'old');
    const paths = await writeReport(fixtureReport(), { dir: tmp, formats: ['txt'] });
    const text = await readFile(paths.txt!, 'utf8');
    expect(text).toBe(renderTerminal(fixtureReport(), { color: false }));
    expect(text).not.toContain('\u001b');
    expect(await readdir(tmp)).toEqual(['report.txt']);
  });

  it('rejects bad options before writing anything', async () => {
    await expect(writeReport(fixtureReport(), { dir: '' })).rejects.toThrow(/options\.dir/);
    await expect(
      writeReport(fixtureReport(), { dir: tmp, formats: ['json', 'pdf' as 'json'] }),
    ).rejects.toThrow(/options\.formats must be one of 'json', 'html', 'txt', got "pdf"/);
    await expect(writeReport(fixtureReport(), { dir: tmp, html: { maxRows: -1 } })).rejects.toThrow(
      /maxRows/,
    );
    expect(await readdir(tmp)).toEqual([]);
  });
});
