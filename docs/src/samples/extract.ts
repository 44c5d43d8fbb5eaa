/**
 * Finds the code samples of the guides: every fenced block whose info string is `ts` (Node code) or
 * `ts browser` (page code that uses the OpenTok.js global `OT` or imports `@parley/client`, and the DOM). Each sample keeps the line
 * it starts on, so a type error is reported as `guides/<file>.md:<line>`.
 */
import MarkdownIt from 'markdown-it';

/** Where a sample runs, which decides the types it is checked against. */
export type SampleKind = 'node' | 'browser';

/** One sample of one guide. */
export interface Sample {
  /** The guide file, e.g. `server-sdk.md`. */
  guide: string;
  /** 1-based: the Markdown line of the sample's first code line. */
  line: number;
  kind: SampleKind;
  code: string;
}

/** Thrown for a fenced block that looks like TypeScript but has an info string the checker ignores. */
export class SampleFormatError extends Error {
  override readonly name = 'SampleFormatError';
}

const parser = new MarkdownIt();

/** The TypeScript samples of a guide, in order. */
export function extractSamples(guide: string, markdown: string): Sample[] {
  const samples: Sample[] = [];
  for (const token of parser.parse(markdown, {})) {
    if (token.type !== 'fence' || !token.map) continue;
    const info = token.info.trim();
    const line = token.map[0] + 2; // map[0] is the 0-based line of the opening fence
    if (info === 'ts') samples.push({ guide, line, kind: 'node', code: token.content });
    else if (info === 'ts browser') samples.push({ guide, line, kind: 'browser', code: token.content });
    else if (/^(ts|typescript|tsx)\b/.test(info)) {
      // A sample the checker would skip would rot silently: refuse the ambiguity instead.
      throw new SampleFormatError(
        `guides/${guide}:${line - 1}: use \`\`\`ts or \`\`\`ts browser, not \`\`\`${info}`,
      );
    }
  }
  return samples;
}
