import { appendFile, readFile, truncate } from 'node:fs/promises';
import { writeFileAtomic } from '../core/atomic-write.js';
import { RagscopeError } from '../core/errors.js';
import type { DropReason, GeneratedLine, GenerationSettings } from './types.js';

/** What was done for one unit (a document window). @internal */
export interface UnitRecord {
  kept: number;
  dropped: Partial<Record<DropReason, number>>;
  promptTokens: number;
  completionTokens: number;
}

/** The resume state, `<out>.state.json`. @internal */
export interface GenerationState {
  version: 1;
  settings: GenerationSettings;
  units: Record<string, UnitRecord>;
}

/** Read the state file, or `undefined` when there is none. A broken one is `CORRUPT_FILE`. @internal */
export async function loadState(file: string): Promise<GenerationState | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const s = JSON.parse(text) as GenerationState;
    if (s?.version !== 1 || typeof s.settings !== 'object' || typeof s.units !== 'object')
      throw new Error('not a ragscope generate state');
    return s;
  } catch (err) {
    throw new RagscopeError(
      'CORRUPT_FILE',
      `${file} is not a ragscope generate state file (${(err as Error).message}); delete it to start again (the questions file is kept)`,
      { file },
      err,
    );
  }
}

/** Write the state atomically: a temporary file in the same folder, then rename. @internal */
export async function saveState(file: string, state: GenerationState): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(state, null, 1)}\n`);
}

/**
 * Read the questions already generated. A last line cut short by an interruption (no final newline, not JSON) is
 * removed from the file and reported; any other unreadable line is `CORRUPT_FILE` naming the file and line.
 * @internal
 */
export async function loadOutput(file: string): Promise<{ lines: GeneratedLine[]; repaired: boolean }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { lines: [], repaired: false };
  }
  let repaired = false;
  if (text.length > 0 && !text.endsWith('\n')) {
    const cut = text.lastIndexOf('\n') + 1;
    const tail = text.slice(cut);
    let ok = false;
    try {
      JSON.parse(tail);
      ok = true;
    } catch {
      // an interrupted append
    }
    if (ok) {
      await appendFile(file, '\n');
      text += '\n';
    } else {
      await truncate(file, Buffer.byteLength(text.slice(0, cut), 'utf8'));
      text = text.slice(0, cut);
      repaired = true;
    }
  }
  const lines: GeneratedLine[] = [];
  text.split('\n').forEach((l, i) => {
    if (l.trim() === '') return;
    try {
      const v = JSON.parse(l) as GeneratedLine;
      if (typeof v?.question !== 'string' || typeof v?.provenance?.unit !== 'string')
        throw new Error('no question or provenance.unit');
      lines.push(v);
    } catch (err) {
      throw new RagscopeError(
        'CORRUPT_FILE',
        `${file} line ${i + 1}: not a generated question (${(err as Error).message})`,
        {
          file,
          line: i + 1,
        },
      );
    }
  });
  return { lines, repaired };
}

/** Append lines in one write (so an interruption loses at most the unit being written). @internal */
export async function appendLines(file: string, lines: readonly GeneratedLine[]): Promise<void> {
  if (lines.length === 0) return;
  await appendFile(file, lines.map((l) => `${JSON.stringify(l)}\n`).join(''), 'utf8');
}
