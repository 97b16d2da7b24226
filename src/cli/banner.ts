/**
 * A loud multi-line banner for stderr (fallbacks, skipped retrievers): impossible to miss in a CI log.
 *
 * @example
 * ```ts
 * process.stderr.write(banner('EMBEDDER FALLBACK: using the hashing embedder'));
 * ```
 */
export function banner(message: string, width = 100): string {
  const bar = '!'.repeat(width);
  const lines: string[] = [];
  for (const para of message.split('\n')) {
    let line = '';
    for (const word of para.split(' ')) {
      if (line && line.length + 1 + word.length > width - 3) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    lines.push(line);
  }
  return `${bar}\n${lines.map((l) => `!! ${l}`).join('\n')}\n${bar}\n`;
}
