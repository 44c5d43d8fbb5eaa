/**
 * Entry point of a load-generator process (forked by {@link GeneratorProcess}): one client group,
 * driven by the parent's commands over IPC. It exits when the parent disconnects.
 */
import { SignalingClientGroup } from './client-group.js';
import type { GeneratorCommand, GeneratorReply, GeneratorRequest } from './generator-process.js';

const group = new SignalingClientGroup();

async function run(request: GeneratorRequest): Promise<unknown> {
  const command: GeneratorCommand = request.command;
  switch (command) {
    case 'join': {
      const { targets, options } = (request as GeneratorRequest<'join'>).args;
      return group.join(targets, options);
    }
    case 'signal': {
      const { count, intervalMs } = (request as GeneratorRequest<'signal'>).args;
      return group.sendSignals(count, intervalMs);
    }
    case 'receipts':
      return group.takeReceipts();
    case 'status':
      return { size: group.size, receipts: group.receiptCount, lost: group.lost };
    case 'close': {
      const closed = group.size;
      group.close();
      // Let the DISCONNECT frames and close handshakes go out before the parent ends this process.
      await new Promise((resolve) => setTimeout(resolve, 500));
      return { closed };
    }
  }
}

process.on('message', (request: GeneratorRequest) => {
  run(request).then(
    (result) => reply({ id: request.id, ok: true, result }),
    (error: unknown) =>
      reply({ id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));

function reply(message: GeneratorReply): void {
  process.send?.(message);
}
