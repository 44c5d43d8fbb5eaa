import { describe, expect, it, vi } from 'vitest';
import { initSession } from '../index.js';
import { FakeMediaHandler } from '../testing/fake-media.js';
import { FakeServer } from '../testing/fake-server.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

function setup(encryptionSecret?: string) {
  const server = new FakeServer({ e2ee: true });
  const media = new FakeMediaHandler();
  const session = initSession(server.projectId, server.sessionId, {
    url: 'http://parley.test',
    fetch: server.fetch,
    transportFactory: server.transportFactory,
    mediaHandler: media,
    logger: silent,
    ...(encryptionSecret === undefined ? {} : { encryptionSecret }),
  });
  return { server, media, session };
}

describe('end-to-end encrypted sessions', () => {
  it('announces the e2ee capability, refuses to publish without a secret, and encrypts with one', async () => {
    const { server, media, session } = setup();
    await session.connect(server.token);
    expect(session.isEncrypted).toBe(true);
    expect(server.messages('create')[0]?.content.capabilities).toEqual(['forceMute', 'e2ee']);
    await expect(session.publish()).rejects.toMatchObject({
      code: 1500,
      name: 'OT_INVALID_ENCRYPTION_SECRET',
    });
    await expect(session.setEncryptionSecret('short')).rejects.toMatchObject({ code: 1011, field: 'secret' });
    await session.setEncryptionSecret('a shared secret');
    await session.publish();
    const create = server.messages('create').find((message) => message.uri.includes('/stream/'));
    expect(create?.content.e2ee).toBe(true);
    expect(media.peers[0]?.options.cryptor).not.toBeNull();
    session.disconnect();
  });

  it('reports a wrong secret as encryptionSecretMismatch, and a fixed one as encryptionSecretMatch', async () => {
    const { server, media, session } = setup('my secret value');
    await session.connect(server.token);
    const peer = server.addPeer();
    const streamId = server.addStream(peer);
    await vi.waitFor(() => expect(session.streams.has(streamId)).toBe(true));
    const subscriber = await session.subscribe(session.streams.get(streamId) as never);
    const events: string[] = [];
    subscriber.on('encryptionSecretMismatch', (event) => events.push(event.type));
    subscriber.on('encryptionSecretMatch', (event) => events.push(event.type));
    const fakePeer = media.peers[0];
    fakePeer?.emit('decryption', false);
    fakePeer?.emit('decryption', false);
    fakePeer?.emit('decryption', true);
    expect(events).toEqual(['encryptionSecretMismatch', 'encryptionSecretMatch']);
    session.disconnect();
  });
});
