import { writeFileAtomic } from '../core/atomic-write.js';
import { checkInteger, checkNumber, invalidArgument, RagscopeError } from '../core/errors.js';
import { hashHex } from '../core/hash.js';
import { cosine } from '../core/vectors.js';
import { HashingEmbedder } from '../embedders/hashing.js';
import { ragscopeVersion } from '../eval/bench/version.js';
import { seededRandom } from '../eval/prng.js';
import { lexicalOverlap, locateExcerpts } from './filters.js';
import { ChatClient, type ChatCompletion } from './llm.js';
import { orderedPool } from './ordered-pool.js';
import { buildMessages, PROMPT_VERSION, parseCompletion } from './prompt.js';
import {
  appendLines,
  type GenerationState,
  loadOutput,
  loadState,
  saveState,
  type UnitRecord,
} from './state.js';
import type {
  DropReason,
  GeneratedLine,
  GenerateOptions,
  GenerationReport,
  GenerationSettings,
  Resolved,
} from './types.js';
import { type Unit, windowsOf } from './windows.js';

const REASONS: readonly DropReason[] = [
  'malformed',
  'invalid',
  'excerpt-not-found',
  'copies-excerpt',
  'near-duplicate',
];

function resolve(options: GenerateOptions): Resolved {
  if (options === null || typeof options !== 'object')
    invalidArgument('options', options, 'a GenerateOptions object');
  if (!Array.isArray(options.documents) || options.documents.length === 0) {
    invalidArgument('options.documents', options.documents, 'a non-empty array of documents');
  }
  if (typeof options.out !== 'string' || options.out === '')
    invalidArgument('options.out', options.out, 'a .jsonl file path');
  const client = options.llm instanceof ChatClient ? options.llm : new ChatClient(options.llm);
  const settings: GenerationSettings = {
    model: client.model,
    url: client.url,
    promptVersion: PROMPT_VERSION,
    seed: checkInteger('options.seed', options.seed ?? 42, 0),
    temperature: checkNumber('options.temperature', options.temperature ?? 0, 0, 2),
    questionsPerUnit: checkInteger('options.questionsPerUnit', options.questionsPerUnit ?? 3, 1),
    windowChars: checkInteger('options.windowChars', options.windowChars ?? 8000, 200),
  };
  return {
    documents: options.documents,
    client,
    embedder: options.embedder ?? new HashingEmbedder(),
    settings,
    maxUnits:
      options.maxUnits === undefined ? undefined : checkInteger('options.maxUnits', options.maxUnits, 1),
    concurrency: checkInteger('options.concurrency', options.concurrency ?? 4, 1),
    dedupeThreshold: checkNumber('options.dedupeThreshold', options.dedupeThreshold ?? 0.85, 0, 1),
    maxOverlap: checkNumber('options.maxOverlap', options.maxOverlap ?? 0.6, 0, 1),
    onProgress: options.onProgress,
  };
}

function sample(units: Unit[], max: number | undefined, seed: number): Unit[] {
  if (max === undefined || max >= units.length) return units;
  const rand = seededRandom(seed);
  const idx = units.map((_, i) => i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  const keep = new Set(idx.slice(0, max));
  return units.filter((_, i) => keep.has(i));
}

function checkSettings(file: string, saved: GenerationSettings, now: GenerationSettings): void {
  for (const key of Object.keys(now) as Array<keyof GenerationSettings>) {
    if (saved[key] !== now[key]) {
      throw new RagscopeError(
        'INVALID_ARGUMENT',
        `cannot resume: ${file} was made with ${key} ${JSON.stringify(saved[key])}, this run has ${JSON.stringify(now[key])}; use the same settings, or another --out to start a new set`,
        { param: key, value: now[key], file },
      );
    }
  }
}

/** Kept questions and their vectors, for the near-duplicate filter. */
interface Kept {
  texts: Set<string>;
  vectors: Float32Array[];
}

const norm = (q: string) => q.toLowerCase().replace(/\s+/g, ' ').trim();

async function filterUnit(
  r: Resolved,
  unit: Unit,
  completion: ChatCompletion,
  kept: Kept,
): Promise<{ lines: GeneratedLine[]; record: UnitRecord }> {
  const record: UnitRecord = {
    kept: 0,
    dropped: {},
    promptTokens: completion.promptTokens,
    completionTokens: completion.completionTokens,
  };
  const drop = (reason: DropReason, n = 1) => {
    if (n > 0) record.dropped[reason] = (record.dropped[reason] ?? 0) + n;
  };
  const parsed = parseCompletion(completion.content);
  if ('error' in parsed) {
    drop('malformed');
    return { lines: [], record };
  }
  drop('invalid', parsed.invalid);
  const located = parsed.candidates.flatMap((c) => {
    const found = locateExcerpts(unit.docId, unit.text, unit.start, c.excerpts);
    if ('missing' in found) {
      drop('excerpt-not-found');
      return [];
    }
    if (lexicalOverlap(c.question, c.excerpts) > r.maxOverlap) {
      drop('copies-excerpt');
      return [];
    }
    return [{ ...c, spans: found.spans }];
  });
  const vectors =
    located.length > 0
      ? await r.embedder.embed(
          located.map((c) => c.question),
          { kind: 'query' },
        )
      : [];
  const lines: GeneratedLine[] = [];
  located.forEach((c, i) => {
    const v = vectors[i]!;
    const dup =
      kept.texts.has(norm(c.question)) ||
      kept.vectors.some((k) => {
        const s = cosine(k, v);
        return Number.isFinite(s) && s >= r.dedupeThreshold;
      });
    if (dup) {
      drop('near-duplicate');
      return;
    }
    kept.texts.add(norm(c.question));
    kept.vectors.push(v);
    lines.push({
      id: `g-${hashHex(`${unit.docId}\u0000${c.question}`)}`,
      question: c.question,
      docs: [unit.docId],
      spans: c.spans.map((s, j) => ({ doc: s.docId, start: s.start, end: s.end, text: c.excerpts[j]! })),
      provenance: {
        model: r.settings.model,
        promptVersion: r.settings.promptVersion,
        seed: r.settings.seed,
        unit: unit.id,
        generator: `ragscope ${ragscopeVersion()}`,
      },
    });
  });
  record.kept = lines.length;
  return { lines, record };
}

/** 401/403/404 will not get better by trying the next window: stop the run. */
function isFatal(err: unknown): boolean {
  const status = (err as RagscopeError)?.details?.status;
  return !(err instanceof RagscopeError) || status === 401 || status === 403 || status === 404;
}

/**
 * Generate evaluation questions with exact gold spans from a corpus, by Chroma's method ("Evaluating Chunking
 * Strategies for Retrieval"): an LLM reads a document (in windows of at most `windowChars`) and writes questions,
 * each with the excerpts that answer it. A question is kept only when every excerpt occurs verbatim in the document
 * (its span offsets are then exact: `doc.text.slice(start, end) === excerpt`), it does not copy an excerpt word for
 * word (lexical overlap at most `maxOverlap`), and it is not a near-duplicate of a question already kept (cosine
 * below `dedupeThreshold` under `embedder`, or the same text).
 *
 * Kept questions are appended to `out` (ragscope JSONL, which `loadJsonl` / `ragscope bench --questions` read) with
 * provenance (model, prompt version, seed, window); after each window `<out>.state.json` is replaced atomically.
 * Running again with the same settings resumes: windows already done are not asked again, failed ones are retried,
 * and a last line cut short by an interruption is removed. Results are written in window order whatever the
 * concurrency, so the same completions give the same file.
 *
 * @example
 * ```ts
 * import { loadCorpusFolder } from 'ragscope/eval';
 * import { generateQuestions } from 'ragscope/generate';
 * const documents = await loadCorpusFolder('docs');
 * const report = await generateQuestions({
 *   documents,
 *   llm: { baseURL: 'http://localhost:11434/v1', model: 'llama3.1:8b' },
 *   out: 'questions.jsonl',
 * });
 * console.log(report.kept, report.dropped); // then: ragscope bench --corpus docs --questions questions.jsonl
 * ```
 */
export async function generateQuestions(options: GenerateOptions): Promise<GenerationReport> {
  const r = resolve(options);
  const ids = new Set<string>();
  for (const [i, d] of r.documents.entries()) {
    if (!d || typeof d.id !== 'string' || typeof d.text !== 'string')
      invalidArgument(`options.documents[${i}]`, d, 'a { id, text } document');
    if (ids.has(d.id)) invalidArgument(`options.documents[${i}].id`, d.id, 'unique among the documents');
    ids.add(d.id);
  }
  const units = sample(windowsOf(r.documents, r.settings.windowChars), r.maxUnits, r.settings.seed);
  const stateFile = `${options.out}.state.json`;
  const warnings: string[] = [];
  const saved = await loadState(stateFile);
  if (saved) checkSettings(stateFile, saved.settings, r.settings);
  const state: GenerationState = saved ?? { version: 1, settings: r.settings, units: {} };
  const existing = await loadOutput(options.out);
  if (existing.repaired)
    warnings.push(
      `${options.out}: removed a last line cut short by an interruption; its window is asked again`,
    );
  const linesPerUnit = new Map<string, number>();
  for (const l of existing.lines) {
    if (
      !saved &&
      (l.provenance.model !== r.settings.model ||
        l.provenance.promptVersion !== r.settings.promptVersion ||
        l.provenance.seed !== r.settings.seed)
    ) {
      throw new RagscopeError(
        'INVALID_ARGUMENT',
        `cannot append to ${options.out}: it holds questions from model ${l.provenance.model}, prompt ${l.provenance.promptVersion}, seed ${l.provenance.seed}; use another --out`,
        { file: options.out },
      );
    }
    linesPerUnit.set(l.provenance.unit, (linesPerUnit.get(l.provenance.unit) ?? 0) + 1);
  }
  for (const [unit, n] of linesPerUnit) {
    if (!state.units[unit]) {
      // Interrupted between appending a window's questions and saving the state: the questions are there, keep them.
      state.units[unit] = { kept: n, dropped: {}, promptTokens: 0, completionTokens: 0 };
      warnings.push(
        `${unit}: questions found in ${options.out} but not in the state file (interrupted run); kept them, its drop counts are unknown`,
      );
    }
  }
  const kept: Kept = { texts: new Set(existing.lines.map((l) => norm(l.question))), vectors: [] };
  for (let i = 0; i < existing.lines.length; i += 256) {
    kept.vectors.push(
      ...(await r.embedder.embed(
        existing.lines.slice(i, i + 256).map((l) => l.question),
        { kind: 'query' },
      )),
    );
  }
  const todo = units.filter((u) => !state.units[u.id]);
  const resumed = units.length - todo.length;
  const failures: GenerationReport['failures'] = [];
  let requests = 0;
  let generated = 0;
  let done = resumed;
  const progress = () => {
    const keptNow = units.reduce((s, u) => s + (state.units[u.id]?.kept ?? 0), 0);
    r.onProgress?.({ done, total: units.length, kept: keptNow, failed: failures.length });
  };
  progress();

  // Requests run `concurrency` at a time; results are filtered and written strictly in window order.
  let fatal: unknown;
  try {
    await orderedPool(
      todo,
      r.concurrency,
      async (unit) => {
        try {
          const completion = await r.client.complete(
            buildMessages(unit.docId, unit.text, r.settings.questionsPerUnit),
            {
              temperature: r.settings.temperature,
              seed: r.settings.seed,
            },
          );
          requests += completion.attempts;
          return completion;
        } catch (err) {
          requests += Number((err as RagscopeError)?.details?.attempts ?? 1);
          throw err;
        }
      },
      async (unit, outcome) => {
        done++;
        if ('error' in outcome) {
          failures.push({
            unit: unit.id,
            message: (outcome.error as Error)?.message ?? String(outcome.error),
          });
        } else {
          const { lines, record } = await filterUnit(r, unit, outcome.value, kept);
          await appendLines(options.out, lines);
          state.units[unit.id] = record;
          await saveState(stateFile, state);
          generated++;
        }
        progress();
      },
      isFatal,
    );
  } catch (err) {
    fatal = err;
  }
  await saveState(stateFile, state);
  if (fatal !== undefined) throw fatal;

  const report = summarise(options.out, stateFile, state, units, {
    resumed,
    generated,
    failures,
    requests,
    warnings,
  });
  await writeJsonAtomic(`${options.out}.report.json`, report);
  return report;
}

function summarise(
  out: string,
  stateFile: string,
  state: GenerationState,
  units: readonly Unit[],
  run: {
    resumed: number;
    generated: number;
    failures: GenerationReport['failures'];
    requests: number;
    warnings: string[];
  },
): GenerationReport {
  const dropped = Object.fromEntries(REASONS.map((k) => [k, 0])) as Record<DropReason, number>;
  let kept = 0;
  let promptTokens = 0;
  let completionTokens = 0;
  for (const u of units) {
    const rec = state.units[u.id];
    if (!rec) continue;
    kept += rec.kept;
    promptTokens += rec.promptTokens;
    completionTokens += rec.completionTokens;
    for (const k of REASONS) dropped[k] += rec.dropped[k] ?? 0;
  }
  return {
    out,
    stateFile,
    settings: state.settings,
    units: {
      total: units.length,
      resumed: run.resumed,
      generated: run.generated,
      failed: run.failures.length,
    },
    proposed: kept + REASONS.reduce((s, k) => s + dropped[k], 0),
    kept,
    dropped,
    failures: run.failures,
    usage: { promptTokens, completionTokens, requests: run.requests },
    warnings: run.warnings,
  };
}

async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}
