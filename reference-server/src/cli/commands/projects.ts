/**
 * `parley projects create|list|rotate-secret`: project management on the data directory's database. It
 * works while the server runs (SQLite in WAL mode allows one writer at a time and the server re-reads
 * projects on every request), so a rotated secret takes effect at once.
 */
import { join } from 'node:path';
import { baseDirectory, CONFIG_OPTIONS } from '../../config.js';
import { ensureDataDir, loadOrCreateAccount, patchCredentialsFile } from '../../projects/credentials-file.js';
import { createProject, rotateProjectSecret } from '../../projects/projects.js';
import { DATABASE_FILE } from '../../server.js';
import { openSqliteStore } from '../../store/sqlite-store.js';
import type { Store } from '../../store/types.js';
import { parseArgs, UsageError } from '../args.js';
import type { CliIo } from '../io.js';

/** The help text of `parley projects`. */
export const PROJECTS_HELP = `Usage:
  parley projects create [--name <name>] [--data-dir <dir>]
      Creates a project and prints its credentials as JSON (the private key is shown only once).
  parley projects list [--json] [--data-dir <dir>]
      Lists the projects.
  parley projects rotate-secret <applicationId|apiKey> [--data-dir <dir>]
      Replaces a project's API secret and prints the new one. Tokens signed with the old secret stop working.

--data-dir defaults to $PARLEY_DATA_DIR, then ./.parley-data (as for parley start).
`;

function dataDirOf(value: string | undefined, io: CliIo): string {
  const option = CONFIG_OPTIONS.find((o) => o.key === 'dataDir');
  if (!option) throw new Error('the data-dir option is missing from CONFIG_OPTIONS');
  const raw = value ?? io.env[option.env] ?? '.parley-data';
  return option.parse(raw, { baseDir: baseDirectory(io) }) as string;
}

async function withStore<T>(dataDir: string, run: (store: Store) => Promise<T>): Promise<T> {
  await ensureDataDir(dataDir);
  const store = openSqliteStore(join(dataDir, DATABASE_FILE));
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

/** Runs `parley projects …`. Returns the exit code. */
export async function runProjects(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv.filter((arg) => arg !== '--');
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    io.out.write(PROJECTS_HELP);
    return sub === undefined ? 2 : 0;
  }
  switch (sub) {
    case 'create': {
      const args = parseArgs(rest, ['name', 'data-dir']);
      if (args.positionals.length > 0) throw new UsageError(`Unexpected argument "${args.positionals[0]}"`);
      const dataDir = dataDirOf(args.options.get('data-dir'), io);
      const account = await loadOrCreateAccount(dataDir);
      const created = await withStore(dataDir, (store) =>
        createProject(store, { name: args.options.get('name') ?? '', account }),
      );
      const { project, credentials } = created;
      io.out.write(
        `${JSON.stringify(
          {
            name: project.name,
            applicationId: project.applicationId,
            apiKey: project.apiKey,
            apiSecret: project.apiSecret,
            webhookSecret: project.webhookSecret,
            privateKey: credentials.privateKeyPem,
          },
          null,
          2,
        )}\n`,
      );
      return 0;
    }
    case 'list': {
      const args = parseArgs(rest, ['data-dir'], ['json']);
      if (args.positionals.length > 0) throw new UsageError(`Unexpected argument "${args.positionals[0]}"`);
      const projects = await withStore(dataDirOf(args.options.get('data-dir'), io), (store) =>
        store.projects.list(),
      );
      if (args.switches.has('json')) {
        const rows = projects.map((p) => ({
          applicationId: p.applicationId,
          apiKey: p.apiKey,
          name: p.name,
          status: p.status,
          createdAt: new Date(p.createdAt).toISOString(),
        }));
        io.out.write(`${JSON.stringify(rows, null, 2)}\n`);
        return 0;
      }
      const header = ['APPLICATION ID', 'API KEY', 'STATUS', 'CREATED', 'NAME'];
      const rows = projects.map((p) => [
        p.applicationId,
        p.apiKey,
        p.status,
        new Date(p.createdAt).toISOString(),
        p.name,
      ]);
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
      const format = (cells: string[]): string =>
        cells
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd();
      io.out.write(`${[format(header), ...rows.map(format)].join('\n')}\n`);
      return 0;
    }
    case 'rotate-secret': {
      const args = parseArgs(rest, ['data-dir']);
      const [projectId, extra] = args.positionals;
      if (!projectId) throw new UsageError('rotate-secret needs the application ID or API key of a project');
      if (extra !== undefined) throw new UsageError(`Unexpected argument "${extra}"`);
      const dataDir = dataDirOf(args.options.get('data-dir'), io);
      const updated = await withStore(dataDir, (store) => rotateProjectSecret(store, projectId));
      if (!updated) {
        io.err.write(`No project has the application ID or API key ${projectId}\n`);
        return 1;
      }
      // Keep credentials.json usable when it describes the rotated project.
      await patchCredentialsFile(
        dataDir,
        { apiSecret: updated.apiSecret },
        (file) => file.applicationId === updated.applicationId,
      );
      io.out.write(
        `${JSON.stringify({ applicationId: updated.applicationId, apiKey: updated.apiKey, apiSecret: updated.apiSecret }, null, 2)}\n`,
      );
      return 0;
    }
    default:
      throw new UsageError(`Unknown command "projects ${sub}"`);
  }
}
