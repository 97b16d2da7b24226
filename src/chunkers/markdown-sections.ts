/** A markdown section: `[start, end)`, the heading path above it and its own heading line. @internal */
export interface Section {
  start: number;
  end: number;
  headings: string[];
  heading: string | null;
}

/** Split a markdown text into sections, each starting at an ATX heading line (outside fenced code). @internal */
export function markdownSections(text: string): Section[] {
  const sections: Section[] = [];
  const stack: Array<{ level: number; text: string }> = [];
  let sectionStart = 0;
  let headings: string[] = [];
  let heading: string | null = null;
  let fence: string | null = null;
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    let eol = text.indexOf('\n', pos);
    if (eol === -1) eol = n;
    let i = pos;
    while (i < eol && i - pos < 3 && text.charCodeAt(i) === 0x20) i++;
    const c = text.charCodeAt(i);
    if (c === 0x60 || c === 0x7e) {
      const mark = text.startsWith('```', i) ? '```' : text.startsWith('~~~', i) ? '~~~' : null;
      if (mark !== null) {
        if (fence === null) fence = mark;
        else if (fence === mark) fence = null;
      }
    } else if (c === 0x23 && fence === null) {
      let h = i;
      while (h < eol && text.charCodeAt(h) === 0x23) h++;
      const level = h - i;
      const after = text.charCodeAt(h);
      if (
        level <= 6 &&
        (h === eol || after === 0x20 || after === 0x09 || (after === 0x0d && h + 1 === eol))
      ) {
        const title = text
          .slice(h, eol)
          .trim()
          .replace(/(^|\s+)#+$/, '')
          .trim();
        if (pos > sectionStart) sections.push({ start: sectionStart, end: pos, headings, heading });
        while (stack.length > 0 && (stack[stack.length - 1] as { level: number }).level >= level) stack.pop();
        stack.push({ level, text: title });
        headings = stack.map((x) => x.text);
        heading = text.slice(pos, eol).trim();
        sectionStart = pos;
      }
    }
    pos = eol + 1;
  }
  if (n > sectionStart || sections.length === 0)
    sections.push({ start: sectionStart, end: n, headings, heading });
  return sections;
}
