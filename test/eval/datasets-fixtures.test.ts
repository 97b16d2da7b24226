import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChunker } from '../../src/chunkers/spec.js';
import type { SyncChunker } from '../../src/chunkers/types.js';
import { RagscopeError } from '../../src/core/errors.js';
import {
  joinTitle,
  loadBeir,
  loadChromaSpans,
  loadCorpus,
  loadCorpusFolder,
  loadJsonl,
  locateAnswer,
} from '../../src/eval/index.js';

let root: string;
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ragscope-eval-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Write files (path -> content) into a fresh folder and return it. */
async function fixture(files: Record<string, string>): Promise<string> {
  const dir = path.join(root, `f${n++}`);
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), content);
  }
  return dir;
}

async function datasetError(p: Promise<unknown>, label = ''): Promise<RagscopeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, label).toBeInstanceOf(RagscopeError);
  return err as RagscopeError;
}

const corpus = ['{"_id":"d1","title":"T1","text":"alpha"}', '{"_id":"d2","title":"","text":"beta"}'].join(
  '\n',
);
const queries = ['{"_id":"q1","text":"first?"}', '{"_id":"q2","text":"second?"}'].join('\n');

describe('loadBeir fixtures', () => {
  it('reports (and keeps) judgments of missing docs; drops judged queries absent from queries.jsonl', async () => {
    const dir = await fixture({
      'corpus.jsonl': corpus,
      'queries.jsonl': queries,
      'qrels/test.tsv': 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\tghost\t2\nq2\td2\t0\nq9\td1\t1\n',
    });
    const ds = await loadBeir(dir);
    expect(ds.documents).toEqual([
      { id: 'd1', text: 'T1: alpha', metadata: { title: 'T1', textStart: 4 } },
      { id: 'd2', text: 'beta', metadata: { title: '', textStart: 0 } },
    ]);
    expect(ds.questions).toEqual([
      { id: 'q1', text: 'first?', relevantDocs: { d1: 1, ghost: 2 } },
      { id: 'q2', text: 'second?', relevantDocs: { d2: 0 } },
    ]);
    expect(ds.stats).toMatchObject({ judgments: 4, missingDocJudgments: 1, missingQueries: 1 });
    expect(ds.warnings).toHaveLength(2);
    expect(ds.warnings[0]).toMatch(
      /test\.tsv line 3: corpus-id "ghost" \(query q1\) is not in corpus\.jsonl/,
    );
    expect(ds.warnings[1]).toMatch(/query-id "q9" is judged but not in queries\.jsonl/);
  });

  it('names file and line for malformed JSON and malformed qrels rows', async () => {
    const bad = await fixture({
      'corpus.jsonl': '{"_id":"d1","text":"a"}\n{"_id":"d2","text":\n',
      'queries.jsonl': queries,
      'qrels/test.tsv': 'query-id\tcorpus-id\tscore\n',
    });
    const e1 = await datasetError(loadBeir(bad));
    expect(e1.code).toBe('DATASET_ERROR');
    expect(e1.message).toMatch(/corpus\.jsonl line 2: invalid JSON/);
    expect(e1.details).toMatchObject({ line: 2 });

    const badRow = await fixture({
      'corpus.jsonl': corpus,
      'queries.jsonl': queries,
      'qrels/test.tsv': 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq2 d2 1\n',
    });
    const e2 = await datasetError(loadBeir(badRow));
    expect(e2.message).toMatch(/test\.tsv line 3: expected "query-id<TAB>corpus-id<TAB>score"/);

    const noText = await fixture({
      'corpus.jsonl': '{"_id":"d1"}',
      'queries.jsonl': queries,
      'qrels/test.tsv': '',
    });
    expect((await datasetError(loadBeir(noText))).message).toMatch(
      /line 1: "text" must be a string \(doc d1\)/,
    );

    const e3 = await datasetError(loadBeir(badRow, { split: 'dev' }));
    expect(e3.code).toBe('NOT_FOUND');
    expect(e3.message).toMatch(/split 'dev'/);
    expect(e3.message).toMatch(/splits present in .*qrels: test$/);
    expect(e3.details).toMatchObject({ param: 'split', value: 'dev', splits: ['test'] });
  });
});

const chromaCorpus = 'The quick brown fox. It jumps over the lazy dog.';
function csvRow(question: string, refs: unknown, corpusId = 'tiny'): string {
  return `"${question}","${JSON.stringify(refs).replace(/"/g, '""')}",${corpusId}`;
}

describe('loadChromaSpans fixtures', () => {
  it('loads verified spans', async () => {
    const dir = await fixture({
      'corpora/tiny.md': chromaCorpus,
      'questions_df.csv': `question,references,corpus_id\n${csvRow('What jumps?', [{ content: 'It jumps', start_index: 21, end_index: 29 }])}\n`,
    });
    const ds = await loadChromaSpans(dir);
    expect(ds.questions).toEqual([
      {
        id: '0',
        text: 'What jumps?',
        spans: [{ docId: 'tiny', start: 21, end: 29 }],
        relevantDocs: { tiny: 1 },
      },
    ]);
  });

  it('rejects a reference whose offsets do not reproduce its content, naming file and row', async () => {
    const dir = await fixture({
      'corpora/tiny.md': chromaCorpus,
      'questions_df.csv': [
        'question,references,corpus_id',
        csvRow('ok?', [{ content: 'The', start_index: 0, end_index: 3 }]),
        csvRow('bad?', [{ content: 'fox', start_index: 15, end_index: 18 }]),
      ].join('\n'),
    });
    const err = await datasetError(loadChromaSpans(dir));
    expect(err.code).toBe('DATASET_ERROR');
    expect(err.message).toMatch(
      /questions_df\.csv line 3: row 2 .*references\[0\] \[15, 18\) does not match tiny\.md/,
    );
  });

  it('rejects bad JSON, a missing corpus file and broken CSV', async () => {
    const badJson = await fixture({
      'corpora/tiny.md': chromaCorpus,
      'questions_df.csv': 'question,references,corpus_id\n"q","[{oops",tiny\n',
    });
    expect((await datasetError(loadChromaSpans(badJson))).message).toMatch(/line 2: row 1.*not valid JSON/);
    const noCorpus = await fixture({
      'questions_df.csv': `question,references,corpus_id\n${csvRow('q', [{ content: 'a', start_index: 0, end_index: 1 }], 'gone')}\n`,
    });
    expect((await datasetError(loadChromaSpans(noCorpus))).message).toMatch(/gone\.md cannot be read/);
    const broken = await fixture({
      'corpora/tiny.md': chromaCorpus,
      'questions_df.csv': 'question,references,corpus_id\n"unclosed,"[]",tiny\n',
    });
    const err = await datasetError(loadChromaSpans(broken));
    expect(err.code).toBe('DATASET_ERROR');
    expect(err.message).toMatch(/questions_df\.csv.*malformed CSV/);
  });
});

describe('loadCorpusFolder', () => {
  it('loads .md/.txt recursively with relative ids in sorted order, skipping hidden and other files', async () => {
    const dir = await fixture({
      'b.md': '# B\r\nbody',
      'a/z.txt': '\uFEFFzed',
      'a/y.MD': 'why',
      '.hidden/x.md': 'no',
      'notes.json': '{}',
      LICENSE: 'CC0',
    });
    const docs = await loadCorpusFolder(dir);
    expect(docs.map((d) => d.id)).toEqual(['a/y.MD', 'a/z.txt', 'b.md']);
    expect(docs[1]!.text).toBe('zed');
    expect(docs[2]!.text).toBe('# B\r\nbody');
    expect((await loadCorpusFolder(dir, { extensions: ['.json'] })).map((d) => d.id)).toEqual(['notes.json']);
    expect((await datasetError(loadCorpusFolder(path.join(dir, 'nope')))).code).toBe('NOT_FOUND');
  });
});

describe('locateAnswer', () => {
  const docs = [
    { id: 'a', text: 'within five\nbusiness days. Five business days.' },
    { id: 'b', text: 'five business days' },
  ];
  it('finds exact matches first, then whitespace-insensitive ones, counting occurrences', () => {
    expect(locateAnswer('Five business days', docs)).toEqual({
      span: { docId: 'a', start: 27, end: 45 },
      match: 'exact',
      occurrences: 1,
    });
    expect(locateAnswer('five business days', docs)).toEqual({
      span: { docId: 'b', start: 0, end: 18 },
      match: 'exact',
      occurrences: 1,
    });
    expect(locateAnswer(' five  business\tdays ', docs.slice(0, 1))).toEqual({
      span: { docId: 'a', start: 7, end: 25 },
      match: 'whitespace',
      occurrences: 1,
    });
    expect(locateAnswer('ten days', docs)).toBeUndefined();
  });
});

describe('loadJsonl', () => {
  const files = {
    'corpus/billing.md': 'Refunds take five\nbusiness days.\n\nRefunds are free.',
    'corpus/faq.md': 'Refunds are free. Ask us.',
  };

  it('reads docs, spans and answers; locates answers exactly or across whitespace; warns when ambiguous', async () => {
    const dir = await fixture({
      ...files,
      'q.jsonl': [
        '{"id": "refund", "question": "How long?", "answers": ["five business days"]}',
        '',
        '{"question": "Cost?", "docs": ["faq.md"], "answers": ["Refunds are free."]}',
        '{"id": 7, "question": "Span?", "spans": [{"doc": "billing.md", "start": 0, "end": 7, "text": "Refunds"}]}',
        '{"question": "Graded?", "docs": {"billing.md": 2, "missing.md": 1}}',
        '{"question": "Ambiguous?", "answers": ["Refunds are free."]}',
      ].join('\n'),
    });
    const ds = await loadJsonl(path.join(dir, 'q.jsonl'), { corpus: path.join(dir, 'corpus') });
    expect(ds.name).toBe('q');
    expect(ds.documents.map((d) => d.id)).toEqual(['billing.md', 'faq.md']);
    expect(ds.questions).toEqual([
      {
        id: 'refund',
        text: 'How long?',
        relevantDocs: { 'billing.md': 1 },
        spans: [{ docId: 'billing.md', start: 13, end: 31 }],
        answers: ['five business days'],
      },
      {
        id: 'q3',
        text: 'Cost?',
        relevantDocs: { 'faq.md': 1 },
        spans: [{ docId: 'faq.md', start: 0, end: 17 }],
        answers: ['Refunds are free.'],
      },
      {
        id: '7',
        text: 'Span?',
        relevantDocs: { 'billing.md': 1 },
        spans: [{ docId: 'billing.md', start: 0, end: 7 }],
      },
      { id: 'q5', text: 'Graded?', relevantDocs: { 'billing.md': 2, 'missing.md': 1 } },
      {
        id: 'q6',
        text: 'Ambiguous?',
        relevantDocs: { 'billing.md': 1 },
        spans: [{ docId: 'billing.md', start: 34, end: 51 }],
        answers: ['Refunds are free.'],
      },
    ]);
    expect(ds.warnings).toHaveLength(2);
    expect(ds.warnings[0]).toMatch(/q\.jsonl line 5: doc "missing\.md" is not in the corpus/);
    expect(ds.warnings[1]).toMatch(/q\.jsonl line 6: answer "Refunds are free\." occurs 2 times/);
    expect(ds.stats).toMatchObject({ questions: 5, spans: 4, locatedAnswers: 3, missingDocJudgments: 1 });
  });

  it('names the file and line of every kind of mistake', async () => {
    const cases: Array<[string, RegExp]> = [
      [
        '{"question": "x", "answers": ["not there"]}',
        /line 2: answer "not there" was not found in the corpus/,
      ],
      [
        '{"question": "x", "spans": [{"doc": "nope.md", "start": 0, "end": 1}]}',
        /line 2: spans\[0\]\.doc "nope\.md"/,
      ],
      [
        '{"question": "x", "spans": [{"doc": "faq.md", "start": 0, "end": 3, "text": "Rex"}]}',
        /line 2: spans\[0\]\.text does not match/,
      ],
      [
        '{"question": "x", "spans": [{"doc": "faq.md", "start": 0, "end": 999}]}',
        /line 2: spans\[0\]\.end 999 is past the end/,
      ],
      ['{"question": "x"}', /line 2: needs at least one of "docs", "spans", "answers"/],
      ['{"question": "", "docs": ["faq.md"]}', /line 2: "question" must be a non-empty string/],
      ['{"id": "a", "question": "x", "docs": ["faq.md"]}', /line 2: duplicate id "a"/],
      ['{"question": "x", "docs": "faq.md"}', /line 2: "docs" must be an array/],
      [
        '{"question": "x", "docs": ["faq.md"], "answers": ["Ask us."]}\n{"question": "y", "docs": ["billing.md"], "answers": ["Ask us."]}',
        /line 3: answer "Ask us\." was not found in its "docs"/,
      ],
      ['{"question": broken}', /line 2: invalid JSON/],
      ['[1, 2]', /line 2: expected a JSON object/],
    ];
    for (const [line2, pattern] of cases) {
      const dir = await fixture({
        ...files,
        'q.jsonl': `{"id": "a", "question": "ok", "docs": ["faq.md"]}\n${line2}\n`,
      });
      const err = await datasetError(
        loadJsonl(path.join(dir, 'q.jsonl'), { corpus: path.join(dir, 'corpus') }),
        line2,
      );
      expect(err.code, line2).toBe('DATASET_ERROR');
      expect(err.message, line2).toMatch(pattern);
      expect(err.message).toContain('q.jsonl');
    }
  });

  it('accepts a JSONL corpus file, a single text file or documents in memory', async () => {
    const dir = await fixture({
      'c.jsonl': '{"id": "x", "title": "Title", "text": "Body text."}\n',
      'single.txt': 'Only one document here.',
      'q1.jsonl': '{"question": "q", "answers": ["Body text."]}\n',
      'q2.jsonl': '{"question": "q", "answers": ["one document"]}\n',
    });
    const a = await loadJsonl(path.join(dir, 'q1.jsonl'), { corpus: path.join(dir, 'c.jsonl') });
    expect(a.documents[0]!.text).toBe('Title: Body text.');
    expect(a.documents[0]!.metadata).toEqual({ title: 'Title', textStart: 7 });
    expect(a.questions[0]!.spans).toEqual([{ docId: 'x', start: 7, end: 17 }]);
    const old = await loadJsonl(path.join(dir, 'q1.jsonl'), {
      corpus: path.join(dir, 'c.jsonl'),
      titleSeparator: '\n\n',
    });
    expect(old.documents[0]!.text).toBe('Title\n\nBody text.');
    const b = await loadJsonl(path.join(dir, 'q2.jsonl'), { corpus: path.join(dir, 'single.txt') });
    expect(b.questions[0]!.spans).toEqual([{ docId: 'single.txt', start: 5, end: 17 }]);
    const c = await loadJsonl(path.join(dir, 'q2.jsonl'), {
      corpus: [{ id: 'm', text: 'just one document' }],
    });
    expect(c.questions[0]!.spans).toEqual([{ docId: 'm', start: 5, end: 17 }]);
    await expect(loadJsonl(path.join(dir, 'q2.jsonl'), {} as { corpus: string })).rejects.toThrow(
      /options\.corpus/,
    );
  });
});

describe('joinTitle: title and text on one line, so no chunker makes a bare-title chunk', () => {
  it('joins as "Title: text" (final dot dropped) or "Title? text", and textStart is where the text begins', () => {
    expect(joinTitle('Vitamin D and bone density.', 'We studied 300 adults.')).toEqual({
      text: 'Vitamin D and bone density: We studied 300 adults.',
      textStart: 28,
    });
    expect(joinTitle('Does aspirin help?', 'Yes.').text).toBe('Does aspirin help? Yes.');
    expect(joinTitle('Results:', 'None.').text).toBe('Results: None.');
    expect(joinTitle('  ', 'Body.')).toEqual({ text: 'Body.', textStart: 0 });
    expect(joinTitle('T', 'Body.', '\n\n')).toEqual({ text: 'T\n\nBody.', textStart: 3 });
  });

  it('property: the text is intact after textStart, and recursive/fixed chunks never hold only the title', () => {
    const word = fc.stringMatching(/^[A-Za-z]{1,12}$/);
    const sentence = fc.array(word, { minLength: 1, maxLength: 30 }).map((w) => `${w.join(' ')}.`);
    const chunkers = ['recursive:120/0', 'recursive:200/50', 'fixed:100/0'].map(
      (s) => createChunker(s) as SyncChunker,
    );
    fc.assert(
      fc.property(
        // Titles shorter than the smallest chunk size (a longer title is cut inside itself).
        fc.array(word, { minLength: 1, maxLength: 6 }).map((w) => w.join(' ')),
        fc.constantFrom('', '.', '?', ':'),
        fc.array(sentence, { minLength: 1, maxLength: 12 }).map((s) => s.join(' ')),
        (titleWords, end, body) => {
          const title = `${titleWords}${end}`;
          const { text, textStart } = joinTitle(title, body);
          expect(text.slice(textStart)).toBe(body);
          expect(text).not.toMatch(/\n/);
          for (const chunker of chunkers) {
            for (const c of chunker.chunkSync({ id: 'd', text })) {
              expect(text.slice(c.start, c.end)).toBe(c.text);
              expect(
                c.end > textStart,
                `${chunker.spec} chunk [${c.start}, ${c.end}) of ${JSON.stringify(text)}`,
              ).toBe(true);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('loadCorpus: every corpus input bench and index take', () => {
  it('a folder (ids with or without extension), a .jsonl file, one file, beir: and chroma: folders', async () => {
    const dir = await fixture({
      'notes/guides/install.md': '# Install\n\nRun it.',
      'notes/faq.txt': 'Ask us.',
      'notes/skip.csv': 'a,b',
      'dup/a.md': 'A',
      'dup/a.txt': 'also A',
      'c.jsonl': '{"_id":"1","title":"Aspirin.","text":"It helps."}\n{"id":"2","text":"No title."}\n',
      'dupe.jsonl': '{"id":"1","text":"a"}\n{"id":"1","text":"b"}\n',
      'one.txt': 'Just one.',
      'beir/corpus.jsonl': '{"_id":"d1","title":"T","text":"body"}\n',
      'chroma/corpora/finance.md': 'Money.',
      'chroma/corpora/pubmed.md': 'Cells.',
    });
    const byPath = await loadCorpus(path.join(dir, 'notes'));
    expect(byPath.map((d) => d.id)).toEqual(['faq.txt', 'guides/install.md']);
    const byName = await loadCorpus(path.join(dir, 'notes'), { idFrom: 'name' });
    expect(byName.map((d) => [d.id, d.metadata?.path])).toEqual([
      ['faq', 'faq.txt'],
      ['guides/install', 'guides/install.md'],
    ]);
    const clash = await datasetError(loadCorpus(path.join(dir, 'dup'), { idFrom: 'name' }));
    expect(clash.message).toMatch(/a\.txt and a\.md the same id "a"|a\.md and a\.txt the same id "a"/);
    const jsonl = await loadCorpus(path.join(dir, 'c.jsonl'));
    expect(jsonl.map((d) => [d.id, d.text])).toEqual([
      ['1', 'Aspirin: It helps.'],
      ['2', 'No title.'],
    ]);
    expect((await datasetError(loadCorpus(path.join(dir, 'dupe.jsonl')))).message).toMatch(
      /dupe\.jsonl line 2: duplicate id "1"/,
    );
    expect(await loadCorpus(path.join(dir, 'one.txt'), { idFrom: 'name' })).toEqual([
      { id: 'one', text: 'Just one.', metadata: { path: 'one.txt' } },
    ]);
    expect((await loadCorpus(`beir:${path.join(dir, 'beir')}`)).map((d) => d.text)).toEqual(['T: body']);
    expect((await loadCorpus(`chroma:${path.join(dir, 'chroma')}`)).map((d) => d.id)).toEqual([
      'finance',
      'pubmed',
    ]);
    const missing = await datasetError(loadCorpus(path.join(dir, 'nope')));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toMatch(/a \.jsonl file, a file, beir:<folder> or chroma:<folder>/);
    expect((await datasetError(loadCorpus(`beir:${dir}`))).message).toMatch(/BEIR corpus not found/);
  });
});
