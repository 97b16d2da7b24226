// Enforces the project rule "every exported name of the public API has TSDoc with an `@example`" (run by `npm run lint`).
// Walks src/ (except src/cli/, which is internal) and fails, listing `file:line NAME`, for every exported
// function/class/interface/type/const/enum whose doc comment right before it is missing or has no `@example`.
// A doc comment containing `@internal` is exempt. Plain Node, no dependencies.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const root = join(import.meta.dirname, '..');
const srcDir = join(root, 'src');
const exempt = [join(srcDir, 'cli')];

const EXPORT_RE =
  /^export\s+(?:declare\s+)?(?:default\s+)?(?:abstract\s+class|async\s+function\*?|function\*?|class|interface|type|const|enum|let|var)\s+([A-Za-z_$][\w$]*)/;

/** Every `.ts` file under `dir`, skipping exempt folders, sorted for a stable listing. */
function walk(dir) {
  const out = [];
  const entries = readdirSync(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!exempt.includes(p)) out.push(...walk(p));
    } else if (entry.isFile() && p.endsWith('.ts') && !p.endsWith('.d.ts')) {
      out.push(p);
    }
  }
  return out;
}

/**
 * The doc comment ending right before line `index` (blank lines allowed), or undefined. Its opening line is the
 * nearest line above whose text starts with `/*`; it is a doc comment when that line starts with `/**`.
 */
function docBefore(lines, index) {
  let end = index - 1;
  while (end >= 0 && lines[end].trim() === '') end--;
  if (end < 0 || !lines[end].trimEnd().endsWith('*/')) return undefined;
  for (let i = end; i >= 0; i--) {
    const text = lines[i].trim();
    if (text.startsWith('/*')) return text.startsWith('/**') ? lines.slice(i, end + 1).join('\n') : undefined;
    // Reached the end of an earlier comment (or code) without finding this comment's opening: no doc comment.
    if (i !== end && (text.endsWith('*/') || !text.startsWith('*'))) return undefined;
  }
  return undefined;
}

const problems = [];
let checked = 0;
for (const file of walk(srcDir)) {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  lines.forEach((line, index) => {
    const m = EXPORT_RE.exec(line);
    if (!m) return;
    checked++;
    const doc = docBefore(lines, index);
    const where = `${relative(root, file).split(sep).join('/')}:${index + 1} ${m[1]}`;
    if (doc === undefined) problems.push(`${where} (no doc comment)`);
    else if (doc.includes('@internal')) return;
    else if (!doc.includes('@example')) problems.push(`${where} (doc comment has no @example)`);
  });
}

if (problems.length > 0) {
  console.error(`check-tsdoc: ${problems.length} of ${checked} exported names lack TSDoc with an @example:`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(`check-tsdoc: ok, ${checked} exported names all have TSDoc with an @example`);
