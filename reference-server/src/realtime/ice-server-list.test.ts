import { describe, expect, it } from 'vitest';
import { IceServerListError, parseIceServerList } from './ice-server-list.js';

const parse = (raw: string) => parseIceServerList(raw, '--turn-servers');

describe('parseIceServerList', () => {
  it('reads the shorthand, percent-decoding credentials', () => {
    expect(
      parse('turn:alice:s%3Acret%40x@turn.example.com:3478?transport=tcp, stun:stun.example.com:3478'),
    ).toEqual([
      {
        urls: 'turn:turn.example.com:3478?transport=tcp',
        username: 'alice',
        credential: 's:cret@x',
      },
      { urls: 'stun:stun.example.com:3478' },
    ]);
    expect(parse('turns:u:p@10.0.0.1:5349')).toEqual([
      { urls: 'turns:10.0.0.1:5349', username: 'u', credential: 'p' },
    ]);
  });

  it('reads a JSON array of RTCIceServer objects', () => {
    expect(
      parse(
        '[{"urls":["turn:a:3478","turns:a:5349"],"username":"u","credential":"p"},{"urls":"stun:b:19302"}]',
      ),
    ).toEqual([
      { urls: ['turn:a:3478', 'turns:a:5349'], username: 'u', credential: 'p' },
      { urls: 'stun:b:19302' },
    ]);
  });

  it('treats blank text as no servers', () => {
    expect(parse('  ')).toEqual([]);
  });

  it.each([
    ['turn:turn.example.com:3478', '--turn-servers entry 1 is a TURN server and needs USER:PASS@'],
    ['stun:u:p@host:3478', '--turn-servers entry 1 is a STUN server and takes no credentials'],
    ['stun:a:1,http://x', '--turn-servers entry 2 must look like turn:USER:PASS@HOST:PORT'],
    ['turn:u:p@host', 'entry 1 must look like'],
    ['turn:u:p@host:70000', 'entry 1 has port 70000'],
    ['turn:u:p@host:3478?transport=sctp', 'entry 1 has transport=sctp'],
    ['turn:u:%E0%A4%A@host:1', 'malformed percent-encoding'],
    ['[{"urls":', '--turn-servers is not valid JSON'],
    ['[1]', '--turn-servers[0] must be an object'],
    ['[{"url":"stun:a:1"}]', '--turn-servers[0] has an unknown field "url"'],
    ['[{"urls":[]}]', '--turn-servers[0].urls must be a URL or a non-empty array'],
    ['[{"urls":"http://a"}]', '--turn-servers[0].urls must be stun:'],
    ['[{"urls":"turn:a:1"}]', '--turn-servers[0] is a TURN server and needs a username and a credential'],
    ['[{"urls":"stun:a:1","username":5}]', '--turn-servers[0].username must be a string'],
  ])('rejects %j naming the option', (raw, message) => {
    expect(() => parse(raw)).toThrow(IceServerListError);
    expect(() => parse(raw)).toThrow(message);
  });
});
