/**
 * Listing archives as the API shows them: newest first, `deleted` archives left out (they stay in the
 * store so `GET …/archive/{id}` can still answer with `status: deleted`), paged by `offset`/`count` with
 * `total` counting every match.
 *
 * The store pages over all records, so the deleted ones are filtered here by reading the matching
 * records in store pages; a store-side status filter would make this one query.
 */
import type { ArchiveRecord, Page, Store } from '../../store/types.js';

/** The store page size used while reading through a project's archives. */
const READ_PAGE = 500;

/** One page of the project's (or one session's) archives that are not deleted. */
export async function listArchives(
  store: Store,
  applicationId: string,
  query: { offset: number; count: number; sessionId?: string },
): Promise<Page<ArchiveRecord>> {
  const visible: ArchiveRecord[] = [];
  const filter = query.sessionId === undefined ? {} : { sessionId: query.sessionId };
  for (let offset = 0; ; offset += READ_PAGE) {
    const page = await store.archives.list(applicationId, { ...filter, offset, count: READ_PAGE });
    visible.push(...page.items.filter((r) => r.status !== 'deleted'));
    if (page.items.length < READ_PAGE || offset + READ_PAGE >= page.total) break;
  }
  return { total: visible.length, items: visible.slice(query.offset, query.offset + query.count) };
}
