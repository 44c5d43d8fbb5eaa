/**
 * Offset/count pagination over the Video API's `{count, items}` lists (archives, broadcasts, renders,
 * …): page at a time, or every item with `for await`, even on the unawaited call:
 *
 * ```ts
 * for await (const archive of video.archives.list({ sessionId })) console.log(archive.id);
 * const page = await video.archives.list({ count: 100 });
 * ```
 */
import { InvalidArgumentError } from './errors.js';

/** The paging parameters of every list call. */
export interface OffsetPageParams {
  /** How many items to skip, newest first; `0` (the default) starts at the most recent. */
  offset?: number;
  /** Page size, 1–1000 (server default 50). */
  count?: number;
}

/** The wire shape of a list response. */
export interface ListEnvelope<Item> {
  /** The total number of items across all pages. */
  count: number;
  /** This page's items. */
  items: Item[];
}

/** Fetches one page at `offset`/`count`. */
export type PageFetcher<Item> = (params: {
  offset: number;
  count: number | undefined;
}) => Promise<ListEnvelope<Item>>;

/** Largest page the API serves. */
export const MAX_PAGE_SIZE = 1000;

/** One page of a list, iterable over every item of every following page. */
export class OffsetPage<Item> implements AsyncIterable<Item> {
  /** This page's items. */
  readonly items: Item[];
  /** The total number of items the server reported, across all pages. */
  readonly totalCount: number;
  /** The offset this page was fetched at. */
  readonly offset: number;
  readonly #count: number | undefined;
  readonly #fetch: PageFetcher<Item>;

  /** @internal Pages are created by list methods. */
  constructor(
    envelope: ListEnvelope<Item>,
    offset: number,
    count: number | undefined,
    fetch: PageFetcher<Item>,
  ) {
    this.items = Array.isArray(envelope.items) ? envelope.items : [];
    this.totalCount = typeof envelope.count === 'number' ? envelope.count : this.items.length;
    this.offset = offset;
    this.#count = count;
    this.#fetch = fetch;
  }

  /** Whether more items follow this page. */
  hasNextPage(): boolean {
    return this.items.length > 0 && this.offset + this.items.length < this.totalCount;
  }

  /** Fetches the page after this one; throws if there is none (check {@link hasNextPage}). */
  async getNextPage(): Promise<OffsetPage<Item>> {
    if (!this.hasNextPage())
      throw new Error('No next page: check hasNextPage() before calling getNextPage()');
    return fetchPage(this.#fetch, this.offset + this.items.length, this.#count);
  }

  /** Iterates over this page and every following page. */
  async *iterPages(): AsyncGenerator<OffsetPage<Item>, void, undefined> {
    let page: OffsetPage<Item> = this;
    yield page;
    while (page.hasNextPage()) {
      page = await page.getNextPage();
      yield page;
    }
  }

  /** Iterates over every item of this page and of every following page. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Item, void, undefined> {
    for await (const page of this.iterPages()) yield* page.items;
  }
}

/**
 * The result of a list call: await it for the first {@link OffsetPage}, or iterate it with `for await`
 * for every item of every page.
 */
export class PagePromise<Item> implements PromiseLike<OffsetPage<Item>>, AsyncIterable<Item> {
  readonly #page: Promise<OffsetPage<Item>>;

  /** @internal Created by list methods. */
  constructor(fetch: PageFetcher<Item>, params: OffsetPageParams) {
    // Invalid paging rejects like any other failure of the call rather than throwing synchronously.
    this.#page = Promise.resolve(params).then((checked) => {
      validatePaging(checked);
      return fetchPage(fetch, checked.offset ?? 0, checked.count);
    });
  }

  // biome-ignore lint/suspicious/noThenProperty: a PagePromise is deliberately awaitable.
  then<R1 = OffsetPage<Item>, R2 = never>(
    onFulfilled?: ((page: OffsetPage<Item>) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#page.then(onFulfilled, onRejected);
  }

  /** Handles a failure of the first page, as `Promise.prototype.catch`. */
  catch<R = never>(
    onRejected?: ((reason: unknown) => R | PromiseLike<R>) | null,
  ): Promise<OffsetPage<Item> | R> {
    return this.#page.catch(onRejected);
  }

  /** Runs `onFinally` once the first page settled, as `Promise.prototype.finally`. */
  finally(onFinally?: (() => void) | null): Promise<OffsetPage<Item>> {
    return this.#page.finally(onFinally);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Item, void, undefined> {
    yield* await this.#page;
  }

  /**
   * Collects items from every page into an array, stopping after `limit` items. The limit is required
   * so a long history is never loaded by accident.
   */
  async toArray(options: { limit: number }): Promise<Item[]> {
    const { limit } = options;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new InvalidArgumentError('options.limit', `must be a positive integer (got ${limit})`);
    }
    const out: Item[] = [];
    for await (const item of this) {
      out.push(item);
      if (out.length >= limit) break;
    }
    return out;
  }
}

async function fetchPage<Item>(
  fetch: PageFetcher<Item>,
  offset: number,
  count: number | undefined,
): Promise<OffsetPage<Item>> {
  return new OffsetPage(await fetch({ offset, count }), offset, count, fetch);
}

function validatePaging(params: OffsetPageParams): void {
  if (params.offset !== undefined && (!Number.isInteger(params.offset) || params.offset < 0)) {
    throw new InvalidArgumentError('params.offset', `must be a non-negative integer (got ${params.offset})`);
  }
  if (
    params.count !== undefined &&
    (!Number.isInteger(params.count) || params.count < 1 || params.count > MAX_PAGE_SIZE)
  ) {
    throw new InvalidArgumentError(
      'params.count',
      `must be an integer from 1 to ${MAX_PAGE_SIZE} (got ${params.count})`,
    );
  }
}
