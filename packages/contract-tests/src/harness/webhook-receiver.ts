/**
 * An HTTP receiver for what a target sends the suite — webhooks, and the test object a storage check
 * writes: listens on the run's receiver host (port 0), answers 204, and keeps every request with its raw
 * body for the checks.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One delivery as received. */
export interface WebhookDelivery {
  /** The HTTP method (webhooks are POSTs; a storage check writes with PUT). */
  method: string;
  /** The request path, which the suite makes unique per callback. */
  path: string;
  /** Lowercase header names. */
  headers: Record<string, string>;
  /** The raw body, exactly as sent (signatures cover these bytes). */
  rawBody: string;
  /** The parsed JSON body, or undefined when it is not JSON. */
  body: unknown;
}

/** A running receiver. */
export class WebhookReceiver {
  readonly deliveries: WebhookDelivery[] = [];
  readonly #server: Server;
  readonly #waiters = new Set<(delivery: WebhookDelivery) => void>();
  #url = '';

  private constructor(server: Server) {
    this.#server = server;
  }

  /** Starts a receiver on `host`, port 0. */
  static async start(host: string): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (request, response) => {
      void receiver.#receive(request).then(() => {
        response.statusCode = 204;
        response.end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    receiver.#url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    return receiver;
  }

  /** The URL of a path on this receiver. */
  url(path: string): string {
    return `${this.#url}${path.startsWith('/') ? path : `/${path}`}`;
  }

  /** Resolves with the first delivery (received or future) matching `predicate`. */
  waitFor(predicate: (delivery: WebhookDelivery) => boolean, timeoutMs = 15_000): Promise<WebhookDelivery> {
    const seen = this.deliveries.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        const got = this.deliveries.map(
          (d) => `${d.path} ${(d.body as { event?: string } | undefined)?.event ?? ''}`,
        );
        reject(
          new Error(`no matching webhook within ${timeoutMs} ms (received: ${got.join(', ') || 'none'})`),
        );
      }, timeoutMs);
      const waiter = (delivery: WebhookDelivery): void => {
        if (!predicate(delivery)) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve(delivery);
      };
      this.#waiters.add(waiter);
    });
  }

  /** Stops listening. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.closeAllConnections();
      this.#server.close(() => resolve());
    });
  }

  async #receive(request: IncomingMessage): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(rawBody) as unknown;
    } catch {
      body = undefined;
    }
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(request.headers)) {
      if (typeof value === 'string') headers[key.toLowerCase()] = value;
    }
    const delivery: WebhookDelivery = {
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      headers,
      rawBody,
      body,
    };
    this.deliveries.push(delivery);
    for (const waiter of [...this.#waiters]) waiter(delivery);
  }
}
