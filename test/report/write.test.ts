import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import {
  type ReportWriteFailure,
  renderHtml,
  renderJson,
  renderTerminal,
  writeReport,
} from '../../src/report/index.js';
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

  it('writes every format it can when another fails, then reports each failure with its cause', async () => {
    const report = fixtureReport();
    // A directory where report.html should go: that format cannot be written, the others must be.
    await mkdir(path.join(tmp, 'report.html'));
    const err = await writeReport(report, { dir: tmp, formats: ['json', 'html', 'txt'] }).catch((e) => e);
    expect(err).toBeInstanceOf(RagscopeError);
    expect(err.code).toBe('REPORT_INCOMPLETE');
    expect(err.message).toMatch(/report\.html: .*EISDIR|report\.html: .*directory/i);
    expect(err.message).toContain(path.join(tmp, 'report.json'));
    expect(err.details.written).toEqual({
      json: path.join(tmp, 'report.json'),
      txt: path.join(tmp, 'report.txt'),
    });
    const failures = err.details.failures as ReportWriteFailure[];
    expect(failures.map((f) => f.format)).toEqual(['html']);
    expect(failures[0]!.file).toBe(path.join(tmp, 'report.html'));
    expect(err.cause).toBeInstanceOf(AggregateError);
    expect(await readFile(path.join(tmp, 'report.json'), 'utf8')).toBe(renderJson(report));
    expect(await readFile(path.join(tmp, 'report.txt'), 'utf8')).toBe(
      renderTerminal(report, { color: false }),
    );
    expect((await readdir(tmp)).sort()).toEqual(['report.html', 'report.json', 'report.txt']);
  });

  it('lists every failed format, and says when nothing was written', async () => {
    await mkdir(path.join(tmp, 'report.json'));
    await mkdir(path.join(tmp, 'report.html'));
    const err = await writeReport(fixtureReport(), { dir: tmp }).catch((e) => e);
    expect(err.code).toBe('REPORT_INCOMPLETE');
    expect((err.details.failures as ReportWriteFailure[]).map((f) => f.format)).toEqual(['json', 'html']);
    expect(err.message).toMatch(
      /could not write 2 report format\(s\): report\.json: .*; report\.html: .*; nothing was written/,
    );
    expect(err.details.written).toEqual({});
  });

  it('reports a directory that cannot be created for every format', async () => {
    await writeFile(path.join(tmp, 'file'), 'x');
    const err = await writeReport(fixtureReport(), { dir: path.join(tmp, 'file', 'sub') }).catch((e) => e);
    expect(err.code).toBe('REPORT_INCOMPLETE');
    expect((err.details.failures as ReportWriteFailure[]).map((f) => f.format)).toEqual(['json', 'html']);
    expect(err.message).toMatch(/ENOTDIR|EEXIST/);
  });
});
