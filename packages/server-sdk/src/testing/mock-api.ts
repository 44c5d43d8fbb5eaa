/**
 * Test support (not shipped): an msw network that intercepts undici at the socket level, so the SDK's
 * real transport — its own keep-alive agent included — runs against mocked responses with no network.
 *
 * msw's `setupServer` only intercepts `http.ClientRequest` and the global `fetch`; npm `undici` opens
 * its own sockets, which `HttpRequestInterceptor` sees.
 */
import { HttpRequestInterceptor } from '@mswjs/interceptors/http';
import { http, type RequestHandler } from 'msw';
import { defineNetwork, InMemoryHandlersController, InterceptorSource } from 'msw/experimental';

/** The base URL tests point clients at. */
export const TEST_BASE_URL = 'https://video.test.parley';

/** A started mock network. */
export interface MockApi {
  /** Adds handlers in front of the current ones (for one test). */
  use(...handlers: RequestHandler[]): void;
  /** Drops handlers added with `use`. */
  reset(): void;
  /** Stops intercepting. */
  close(): Promise<void>;
  /** Every request that reached a handler, in order (cloned, bodies unread). */
  readonly requests: Request[];
}

/** Starts intercepting; unhandled requests fail the test rather than reaching the network. */
export async function startMockApi(...handlers: RequestHandler[]): Promise<MockApi> {
  const requests: Request[] = [];
  // Records every request, then falls through (returns nothing) to the handlers after it.
  const recorder = http.all('*', ({ request }) => {
    requests.push(request.clone());
  });
  let current = [...handlers];
  const network = defineNetwork({
    sources: [new InterceptorSource({ interceptors: [new HttpRequestInterceptor()] })],
    handlers: new InMemoryHandlersController([recorder, ...current]),
    onUnhandledFrame: 'error',
    context: { quiet: true },
  });
  await network.enable();
  return {
    use: (...more) => {
      current = [...more, ...current];
      network.resetHandlers(recorder, ...current);
    },
    reset: () => {
      current = [...handlers];
      network.resetHandlers(recorder, ...current);
      requests.length = 0;
    },
    close: async () => {
      await network.disable();
    },
    requests,
  };
}
