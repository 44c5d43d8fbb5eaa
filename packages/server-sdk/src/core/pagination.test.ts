import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import { type ListEnvelope, PagePromise } from './pagination.js';

/** A fake list of `total` numbered items served in pages, recording each fetch. */
function fakeList(total: number, pageSize = 3) {
  const fetches: { offset: number; count: number | undefined }[] = [];
  const fetch = async ({
    offset,
    count,
  }: {
    offset: number;
    count: number | undefined;
  }): Promise<ListEnvelope<number>> => {
    fetches.push({ offset, count });
    const size = count ?? pageSize;
    return {
      count: total,
      items: Array.from({ length: Math.max(0, Math.min(size, total - offset)) }, (_, i) => offset + i),
    };
  };
  return { fetch, fetches };
}

describe('PagePromise / OffsetPage', () => {
  it('awaits to the first page with its paging state', async () => {
    const { fetch } = fakeList(7);
    const page = await new PagePromise(fetch, {});
    expect(page.items).toEqual([0, 1, 2]);
    expect(page.totalCount).toBe(7);
    expect(page.hasNextPage()).toBe(true);
    const next = await page.getNextPage();
    expect(next.items).toEqual([3, 4, 5]);
    expect(next.offset).toBe(3);
  });

  it('iterates every item of every page with for await, on the unawaited promise', async () => {
    const { fetch, fetches } = fakeList(7);
    const seen: number[] = [];
    for await (const item of new PagePromise(fetch, { count: 3 })) seen.push(item);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(fetches).toEqual([
      { offset: 0, count: 3 },
      { offset: 3, count: 3 },
      { offset: 6, count: 3 },
    ]);
  });

  it('iterates pages and starts at the given offset', async () => {
    const { fetch } = fakeList(5);
    const page = await new PagePromise(fetch, { offset: 2, count: 2 });
    const pages: number[][] = [];
    for await (const p of page.iterPages()) pages.push(p.items);
    expect(pages).toEqual([[2, 3], [4]]);
  });

  it('stops on an empty page even if the total says otherwise', async () => {
    const fetch = async () => ({ count: 100, items: [] as number[] });
    const page = await new PagePromise(fetch, {});
    expect(page.hasNextPage()).toBe(false);
    await expect(page.getNextPage()).rejects.toThrow(/No next page/);
  });

  it('toArray stops at the limit without fetching further pages', async () => {
    const { fetch, fetches } = fakeList(1000, 10);
    expect(await new PagePromise(fetch, {}).toArray({ limit: 15 })).toHaveLength(15);
    expect(fetches).toHaveLength(2);
    await expect(new PagePromise(fetch, {}).toArray({ limit: 0 })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it('rejects invalid paging, naming the field', async () => {
    const { fetch, fetches } = fakeList(1);
    await expect(new PagePromise(fetch, { count: 1001 })).rejects.toThrow(
      expect.objectContaining({ field: 'params.count' }),
    );
    await expect(new PagePromise(fetch, { offset: -1 })).rejects.toThrow(
      expect.objectContaining({ field: 'params.offset' }),
    );
    expect(fetches).toEqual([]);
  });
});
