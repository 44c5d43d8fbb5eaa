/**
 * The shared UDP port's socket: bound on the first free port of a range, with large buffers and a
 * `lookup` that answers IP literals at once, and read by the native datapath's `recvmmsg` batches when
 * the addon is in use.
 */
import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import { SfuError } from '../errors.js';
import type { NativeBatchHandler, NativeDatapath, NativeUdpReceiver } from '../native/datapath.js';
import { descriptorOf, udpHandleOf } from '../native/send-queue.js';

/** The shared socket's buffers: it carries every stream of the worker (the kernel may cap this). */
const SHARED_SOCKET_BUFFER_BYTES = 16 * 1024 * 1024;

/**
 * Binds a UDP socket on `address`: the first free port of `portRange`, else one the OS chooses. Throws an
 * `SfuError` naming the range when every port of it is taken.
 */
export async function bindSharedSocket(
  address: string,
  portRange?: { min: number; max: number },
): Promise<Socket> {
  const ports = portRange ? rangeOf(portRange.min, portRange.max) : [0];
  for (const port of ports) {
    const socket = await bind(address, port);
    if (socket === undefined) continue;
    try {
      socket.setRecvBufferSize(SHARED_SOCKET_BUFFER_BYTES);
      socket.setSendBufferSize(SHARED_SOCKET_BUFFER_BYTES);
    } catch {
      // The kernel refused the size: the default buffers still work, only with less slack.
    }
    return socket;
  }
  throw new SfuError(
    'INTERNAL',
    `No free UDP port for the shared media port on ${address} in ${portRange?.min}-${portRange?.max}`,
  );
}

/**
 * Starts the addon reading `socket` in batches and stops Node's own reading of it (sends still go
 * through Node's socket or the addon's queue). Undefined when the socket's handle cannot be had.
 */
export function nativeReceiverFor(
  datapath: NativeDatapath,
  socket: Socket,
  onBatch: NativeBatchHandler,
): NativeUdpReceiver | undefined {
  const handle = udpHandleOf(socket);
  const fd = descriptorOf(socket);
  if (handle === undefined || fd === undefined) return undefined;
  handle.recvStop();
  return datapath.createUdpReceiver(fd, onBatch);
}

function rangeOf(min: number, max: number): number[] {
  return Array.from({ length: max - min + 1 }, (_, index) => min + index);
}

/** Binds a UDP socket; undefined when the port is taken. */
async function bind(address: string, port: number): Promise<Socket | undefined> {
  let bound = false;
  const socket = createSocket({
    type: 'udp4',
    // Sends name IP literals: once bound, answer at once instead of a `dns.lookup` per datagram.
    lookup: (hostname, options, callback) => {
      if (bound && isIP(hostname) === 4) {
        callback(null, hostname, 4);
        return;
      }
      dnsLookup(hostname, options, callback);
    },
  });
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      socket.close();
      if (error.code === 'EADDRINUSE' && port !== 0) resolve(undefined);
      else
        reject(
          new SfuError('INTERNAL', `Cannot bind the shared media port ${address}:${port}: ${error.message}`),
        );
    };
    socket.once('error', onError);
    socket.bind({ address, port, exclusive: true }, () => {
      socket.off('error', onError);
      bound = true;
      resolve(socket);
    });
  });
}
