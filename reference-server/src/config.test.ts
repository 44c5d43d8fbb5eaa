import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, configOptionsMarkdown, loadConfig, localUrl } from './config.js';
import { makeTestCertificate } from './services/sip/testing/busy-tls-uas.js';

const load = (argv: string[] = [], env: Record<string, string> = {}, cwd = '/work/app') =>
  loadConfig({ argv, env, cwd });

describe('loadConfig', () => {
  it('has documented defaults', () => {
    expect(load()).toEqual({
      host: '127.0.0.1',
      port: 4000,
      dataDir: '/work/app/.parley-data',
      store: 'sqlite',
      durability: 'normal',
      publicUrl: null,
      logLevel: 'info',
      rateLimit: 100,
      rateBurst: 200,
      bodyLimit: 1_048_576,
      shutdownTimeoutMs: 10_000,
      playground: true,
      mediaListenIps: ['127.0.0.1'],
      mediaAnnouncedAddress: null,
      mediaPortMin: null,
      mediaPortMax: null,
      mediaSharedPort: true,
      turnServers: [],
      sfuWorkers: 0,
      simulcast: false,
      sfuDatapath: 'auto',
      recordingsDir: null,
      ffmpegPath: 'ffmpeg',
      chromiumPath: null,
      sipAddress: null,
      sipTlsCa: null,
    });
  });

  it('reads the Chromium of renders', () => {
    expect(load(['--chromium', '/opt/chromium/chrome']).chromiumPath).toBe('/opt/chromium/chrome');
    expect(load([], { PARLEY_CHROMIUM: 'bin/chromium' }).chromiumPath).toBe('/work/app/bin/chromium');
    expect(() => load(['--chromium', ' '])).toThrow('--chromium must not be empty');
  });

  it('reads the SFU worker count and the recording options', () => {
    expect(load(['--sfu-workers', '2', '--recordings-dir', 'rec', '--ffmpeg', '/opt/ffmpeg'])).toMatchObject({
      sfuWorkers: 2,
      recordingsDir: '/work/app/rec',
      ffmpegPath: '/opt/ffmpeg',
    });
    expect(() => load(['--sfu-workers', '-1'])).toThrow('--sfu-workers must be an integer from 0 to 64');
    expect(() => load([], { PARLEY_SFU_WORKERS: 'two' })).toThrow('PARLEY_SFU_WORKERS must be an integer');
    expect(() => load(['--recordings-dir', ' '])).toThrow('--recordings-dir must not be empty');
  });

  it('reads the simulcast switch', () => {
    expect(load(['--simulcast', 'off']).simulcast).toBe(false);
    expect(load([], { PARLEY_SIMULCAST: 'on' }).simulcast).toBe(true);
    expect(() => load(['--simulcast', 'maybe'])).toThrow('--simulcast must be on or off, got "maybe"');
    expect(() => load([], { PARLEY_SIMULCAST: '1' })).toThrow('PARLEY_SIMULCAST must be on or off');
  });

  it('reads the SFU datapath', () => {
    expect(load(['--sfu-datapath', 'javascript']).sfuDatapath).toBe('javascript');
    expect(load([], { PARLEY_SFU_DATAPATH: 'native' }).sfuDatapath).toBe('native');
    expect(() => load(['--sfu-datapath', 'fast'])).toThrow(/--sfu-datapath must be one of/);
  });

  it('reads environment variables, and flags win over them', () => {
    const env = { PARLEY_HOST: '0.0.0.0', PARLEY_PORT: '4100', PARLEY_DATA_DIR: '/var/parley' };
    expect(load([], env)).toMatchObject({ host: '0.0.0.0', port: 4100, dataDir: '/var/parley' });
    expect(load(['--port', '4200', '--data-dir=/tmp/x'], env)).toMatchObject({
      host: '0.0.0.0',
      port: 4200,
      dataDir: '/tmp/x',
    });
  });

  it('ignores a bare -- as package managers forward it', () => {
    expect(load(['--', '--port', '4100']).port).toBe(4100);
  });

  it('resolves relative data directories against INIT_CWD (where pnpm was run), else the working directory', () => {
    expect(load(['--data-dir', 'data'], { INIT_CWD: '/repo' }, '/repo/reference-server').dataDir).toBe(
      '/repo/data',
    );
    expect(load([], { INIT_CWD: '/repo' }, '/repo/reference-server').dataDir).toBe('/repo/.parley-data');
    expect(load(['--data-dir', 'data'], {}, '/somewhere').dataDir).toBe('/somewhere/data');
  });

  it.each([
    [['--port', 'http'], {}, '--port must be an integer from 0 to 65535, got "http"'],
    [['--port', '70000'], {}, '--port must be an integer from 0 to 65535'],
    [[], { PARLEY_PORT: '-1' }, 'PARLEY_PORT must be an integer from 0 to 65535, got "-1"'],
    [['--store', 'redis'], {}, '--store must be one of sqlite, memory'],
    [['--log-level', 'loud'], {}, '--log-level must be one of'],
    [[], { PARLEY_DURABILITY: 'off' }, 'PARLEY_DURABILITY must be one of normal, full, got "off"'],
    [['--public-url', 'ftp://x'], {}, '--public-url must be an absolute http(s) URL'],
    [['--prot', '1'], {}, 'Unknown option --prot'],
    [['--port'], {}, '--port needs a value'],
    [['start'], {}, 'Unexpected argument "start"'],
    [['--media-listen-ips', '127.0.0.1,::1'], {}, '--media-listen-ips must be an IPv4 address, got "::1"'],
    [['--media-listen-ips', '0.0.0.0,10.0.0.1'], {}, 'must not mix 0.0.0.0'],
    [[], { PARLEY_MEDIA_ANNOUNCED_ADDRESS: 'vm.example' }, 'PARLEY_MEDIA_ANNOUNCED_ADDRESS must be an IPv4'],
    [
      ['--media-port-min', '80', '--media-port-max', '90'],
      {},
      '--media-port-min must be an integer from 1024',
    ],
    [['--media-port-min', '40000'], {}, '--media-port-min and --media-port-max'],
    [['--media-port-min', '40000', '--media-port-max', '40000'], {}, 'must be above --media-port-min'],
    [
      ['--turn-servers', 'turn:host:3478'],
      {},
      '--turn-servers entry 1 is a TURN server and needs USER:PASS@',
    ],
    [[], { PARLEY_TURN_SERVERS: '[{"urls":"x"}]' }, 'PARLEY_TURN_SERVERS[0].urls must be stun:'],
  ])('rejects %j %j naming the option', (argv, env, message) => {
    expect(() => load(argv, env)).toThrow(ConfigError);
    expect(() => load(argv, env)).toThrow(message);
  });

  it('reads whether media shares one UDP port per SFU worker', () => {
    expect(load(['--media-shared-port', 'off']).mediaSharedPort).toBe(false);
    expect(load([], { PARLEY_MEDIA_SHARED_PORT: 'on' }).mediaSharedPort).toBe(true);
    expect(() => load(['--media-shared-port', 'sometimes'])).toThrow('--media-shared-port');
  });

  it('reads the SQLite durability', () => {
    expect(load(['--durability', 'full']).durability).toBe('full');
    expect(load([], { PARLEY_DURABILITY: 'full' }).durability).toBe('full');
  });

  it('reads the media addresses, port range and TURN servers', () => {
    const config = load(
      ['--media-listen-ips', '127.0.0.1, 10.0.0.5', '--media-port-min=40000', '--media-port-max', '40100'],
      {
        PARLEY_MEDIA_ANNOUNCED_ADDRESS: '203.0.113.7',
        PARLEY_TURN_SERVERS: 'turn:u:p@turn.example.com:3478,stun:turn.example.com:3478',
      },
    );
    expect(config).toMatchObject({
      mediaListenIps: ['127.0.0.1', '10.0.0.5'],
      mediaAnnouncedAddress: '203.0.113.7',
      mediaPortMin: 40000,
      mediaPortMax: 40100,
      turnServers: [
        { urls: 'turn:turn.example.com:3478', username: 'u', credential: 'p' },
        { urls: 'stun:turn.example.com:3478' },
      ],
    });
  });

  it('reads the address SIP calls advertise', () => {
    expect(load(['--sip-address', '203.0.113.9']).sipAddress).toBe('203.0.113.9');
    expect(load([], { PARLEY_SIP_ADDRESS: ' 2001:db8::5 ' }).sipAddress).toBe('2001:db8::5');
    expect(() => load(['--sip-address', 'pbx.example.com'])).toThrow(
      '--sip-address must be an IPv4 or IPv6 address, got "pbx.example.com"',
    );
    expect(() => load([], { PARLEY_SIP_ADDRESS: '10.0.0' })).toThrow(
      'PARLEY_SIP_ADDRESS must be an IPv4 or IPv6 address',
    );
  });

  describe('--sip-tls-ca', () => {
    let directory: string;
    let certificate: string;
    beforeAll(() => {
      directory = mkdtempSync(join(tmpdir(), 'parley-config-'));
      certificate = makeTestCertificate(directory, 'ca').cert;
      // A bundle as distributions ship them: comments between the certificates.
      writeFileSync(join(directory, 'bundle.pem'), `# Private CA\n${certificate}\n# Again\n${certificate}`);
      writeFileSync(join(directory, 'not-pem.pem'), 'hello\n');
      writeFileSync(
        join(directory, 'broken.pem'),
        '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n',
      );
    });
    afterAll(() => rmSync(directory, { recursive: true, force: true }));

    it('reads the CA certificates of the file, resolving a relative path like --data-dir', () => {
      expect(load(['--sip-tls-ca', join(directory, 'ca.pem')]).sipTlsCa).toBe(certificate);
      const bundle = load([], { PARLEY_SIP_TLS_CA: 'bundle.pem' }, directory).sipTlsCa;
      expect(bundle).toBe(`${certificate.trim()}\n${certificate.trim()}\n`);
    });

    it('names the flag or variable when the file is missing or holds no valid certificate', () => {
      expect(() => load(['--sip-tls-ca', join(directory, 'missing.pem')])).toThrow(
        `--sip-tls-ca must name a readable PEM file, could not read "${join(directory, 'missing.pem')}" (ENOENT)`,
      );
      expect(() => load([], { PARLEY_SIP_TLS_CA: directory })).toThrow(
        'PARLEY_SIP_TLS_CA must name a readable PEM file',
      );
      expect(() => load(['--sip-tls-ca', join(directory, 'not-pem.pem')])).toThrow(
        'has no CERTIFICATE block',
      );
      expect(() => load(['--sip-tls-ca', join(directory, 'broken.pem')])).toThrow(
        /--sip-tls-ca: certificate 1 of ".*broken\.pem" is not a valid X\.509 certificate/,
      );
      expect(() => load(['--sip-tls-ca', ' '])).toThrow('--sip-tls-ca must not be empty');
    });
  });

  it('normalises the public URL', () => {
    expect(load(['--public-url', 'https://video.example.com/']).publicUrl).toBe('https://video.example.com');
  });
});

describe('localUrl', () => {
  it('maps wildcard addresses to loopback and brackets IPv6', () => {
    expect(localUrl('0.0.0.0', 4000)).toBe('http://127.0.0.1:4000');
    expect(localUrl('::1', 4000)).toBe('http://[::1]:4000');
    expect(localUrl('127.0.0.1', 1)).toBe('http://127.0.0.1:1');
  });
});

describe('configOptionsMarkdown', () => {
  it('documents every flag with its environment variable', () => {
    const table = configOptionsMarkdown();
    for (const [flag, env] of [
      ['--host', 'PARLEY_HOST'],
      ['--port', 'PARLEY_PORT'],
      ['--data-dir', 'PARLEY_DATA_DIR'],
    ]) {
      expect(table).toContain(`| \`${flag}\` | \`${env}\` |`);
    }
  });
});
