/**
 * The site's navigation: which guide goes where, in reading order. Every file in `guides/` must appear
 * here exactly once (the build refuses a guide that is missing or listed twice), so a new guide is never
 * silently left out of the menu.
 */

/** A link in the navigation to a guide (`file` in `guides/`) or to a generated reference (`href`). */
export type NavItem =
  | { kind: 'guide'; file: string; label: string }
  | { kind: 'link'; href: string; label: string };

/** A titled group of links. */
export interface NavSection {
  title: string;
  items: NavItem[];
}

const guide = (file: string, label: string): NavItem => ({ kind: 'guide', file, label });
const link = (href: string, label: string): NavItem => ({ kind: 'link', href, label });

/** The page the API reference is written to, relative to the site root. */
export const API_REFERENCE_PAGE = 'api/index.html';
/** The page the SDK reference (TypeDoc) starts at, relative to the site root. */
export const SDK_REFERENCE_PAGE = 'sdk/index.html';

/** The navigation, top to bottom. */
export const NAVIGATION: readonly NavSection[] = [
  {
    title: 'Start here',
    items: [
      guide('index.md', 'Home'),
      guide('quick-start.md', 'Quick start'),
      guide('concepts.md', 'Concepts'),
    ],
  },
  {
    title: 'Build',
    items: [
      guide('server-sdk.md', 'Server SDK'),
      guide('client-sdk.md', 'Browser client'),
      guide('recording-and-broadcasting.md', 'Recording and broadcasting'),
      guide('audio-connector.md', 'Audio Connector'),
      guide('experience-composer.md', 'Experience Composer'),
      guide('captions.md', 'Live captions'),
      guide('sip.md', 'SIP interconnect'),
      guide('webhooks.md', 'Webhooks'),
      guide('moderation.md', 'Moderation'),
      guide('migrating.md', 'Migrating from Vonage'),
    ],
  },
  {
    title: 'Run',
    items: [
      guide('self-hosting.md', 'Self-hosting'),
      guide('contract-tests.md', 'Contract tests'),
      guide('errors.md', 'Error codes'),
      guide('benchmarks.md', 'Benchmarks'),
    ],
  },
  {
    title: 'Reference',
    items: [
      guide('operations.md', 'Operations and status'),
      link(API_REFERENCE_PAGE, 'REST API reference'),
      link(SDK_REFERENCE_PAGE, 'Server SDK reference'),
    ],
  },
];

/** The guide files named by the navigation, in order. */
export function guideFiles(navigation: readonly NavSection[] = NAVIGATION): string[] {
  return navigation.flatMap((section) =>
    section.items.flatMap((item) => (item.kind === 'guide' ? [item.file] : [])),
  );
}

/** The HTML page a guide file becomes (`quick-start.md` → `quick-start.html`). */
export function pageOf(file: string): string {
  return file.replace(/\.md$/, '.html');
}

/**
 * Checks the navigation against the guide files on disk.
 *
 * @returns a problem per line; empty when every file is listed exactly once and every listed file exists.
 */
export function navigationProblems(filesOnDisk: readonly string[], navigation = NAVIGATION): string[] {
  const listed = guideFiles(navigation);
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const file of listed) {
    if (seen.has(file)) problems.push(`guides/${file} is listed twice in the navigation`);
    seen.add(file);
    if (!filesOnDisk.includes(file))
      problems.push(`the navigation lists guides/${file}, which does not exist`);
  }
  for (const file of filesOnDisk) {
    if (!seen.has(file)) problems.push(`guides/${file} is not in the navigation (src/build/navigation.ts)`);
  }
  return problems;
}
