import { ERRORS } from './catalogue/index.js';
import type { ErrorDefinition } from './define.js';

/** The catalogue as a Markdown table ("Code | Status | Name | Description | How to solve"). */
export function errorCatalogueMarkdown(): string {
  const escapeCell = (text: string): string => text.replaceAll('|', '\\|');
  // Sorted by code, not by area, so the README reads as one table whatever file an entry lives in.
  const rows = Object.entries(ERRORS as Record<string, ErrorDefinition>)
    .sort(([, a], [, b]) => a.code - b.code)
    .map(
      ([name, e]) =>
        `| ${e.code} | ${e.status} | \`${name}\`${e.retired ? ' (retired)' : ''} | ${escapeCell(e.description)} | ${escapeCell(e.howToSolve)} |`,
    );
  return ['| Code | Status | Name | Description | How to solve |', '|---|---|---|---|---|', ...rows].join(
    '\n',
  );
}
