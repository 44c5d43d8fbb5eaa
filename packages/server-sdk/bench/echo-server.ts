/**
 * The local API the request benchmark calls: answers every request with a small JSON list, as
 * `GET …/stream` does. It runs in its own process (forked by `run.ts`) so the server's work does not
 * share the event loop with the clients being measured, and sends its port over IPC.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const body = JSON.stringify({
  count: 1,
  items: [{ id: 'stream-1', videoType: 'camera', layoutClassList: [] }],
});
const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('disconnect', () => server.close(() => process.exit(0)));
