import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createProject } from '../../projects/projects.js';
import { createMemoryStore } from '../../store/memory-store.js';
import { ApiError, ERRORS, type ErrorName } from '../errors.js';
import { parseJwt } from './compact-jws.js';
import { RestJwtVerifier } from './rest-jwt.js';
import { VerifiedHmacTokens } from './verified-hmac-tokens.js';

const account = { apiKey: '1000000001', apiSecret: 'a'.repeat(40) };

/** An HS256 token as the opentok SDK signs it. */
function hs256(claims: Record<string, unknown>, secret: string): string {
  const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${segment({ alg: 'HS256', typ: 'JWT' })}.${segment(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

async function setup() {
  const clock = { now: 1_800_000_000_000 };
  const store = createMemoryStore();
  const { project } = await createProject(store, { name: 'Memo', account });
  const verifier = new RestJwtVerifier({ store, account, now: () => clock.now });
  const iat = Math.floor(clock.now / 1000);
  const token = hs256({ iss: project.apiKey, ist: 'project', iat, exp: iat + 180 }, project.apiSecret);
  return { clock, store, project, verifier, token, iat };
}

/** The catalogue name of the error `promise` is refused with. */
async function refusal(promise: Promise<unknown>): Promise<ErrorName | undefined> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApiError);
  const { code } = error as ApiError;
  return (Object.keys(ERRORS) as ErrorName[]).find((name) => ERRORS[name].code === code);
}

describe('X-OPENTOK-AUTH tokens verified once', () => {
  it('accepts a token sent again while it is valid, and refuses it once expired', async () => {
    const { clock, verifier, token, project } = await setup();
    for (let i = 0; i < 3; i++) {
      const principal = await verifier.verifyOpentok(token);
      expect(principal.kind === 'project' && principal.project.applicationId).toBe(project.applicationId);
    }
    // The time claims are checked on every request, remembered or not (180 s + 30 s of skew).
    clock.now += 211_000;
    expect(await refusal(verifier.verifyOpentok(token))).toBe('TOKEN_EXPIRED');
  });

  it('refuses a remembered token once the secret is rotated, and the project once deleted', async () => {
    const { store, verifier, token, project } = await setup();
    await verifier.verifyOpentok(token);
    await store.projects.update({ ...project, apiSecret: 'b'.repeat(40) });
    expect(await refusal(verifier.verifyOpentok(token))).toBe('BAD_SIGNATURE');
    // Rotated back: the token verifies again (it is checked afresh, not remembered as bad).
    await store.projects.update(project);
    await verifier.verifyOpentok(token);
    await store.projects.delete(project.applicationId);
    expect(await refusal(verifier.verifyOpentok(token))).toBe('UNKNOWN_ISSUER');
  });

  it('never remembers a tampered token, and keeps a jti single-use', async () => {
    const { verifier, token, project, iat } = await setup();
    await verifier.verifyOpentok(token);
    const [header, claims] = token.split('.');
    const forged = `${header}.${claims}.${'A'.repeat(43)}`;
    expect(await refusal(verifier.verifyOpentok(forged))).toBe('BAD_SIGNATURE');
    const once = hs256(
      { iss: project.apiKey, ist: 'project', iat, exp: iat + 180, jti: 'one' },
      project.apiSecret,
    );
    await verifier.verifyOpentok(once);
    expect(await refusal(verifier.verifyOpentok(once))).toBe('TOKEN_REPLAYED');
  });
});

describe('VerifiedHmacTokens', () => {
  const jwtOf = (claims: Record<string, unknown>) => {
    const token = hs256(claims, 's');
    return { token, jwt: parseJwt(token) };
  };

  it('remembers the secret with a frozen parse, and never a token with a jti or an oversized one', () => {
    const tokens = new VerifiedHmacTokens();
    const plain = jwtOf({ iss: 'k', iat: 1 });
    tokens.remember(plain.token, plain.jwt, 's');
    const known = tokens.get(plain.token);
    expect(known?.secret).toBe('s');
    expect(Object.isFrozen(known?.jwt.claims)).toBe(true);
    const withJti = jwtOf({ iss: 'k', jti: 'x' });
    tokens.remember(withJti.token, withJti.jwt, 's');
    expect(tokens.get(withJti.token)).toBeUndefined();
    const huge = jwtOf({ iss: 'k', pad: 'x'.repeat(3000) });
    tokens.remember(huge.token, huge.jwt, 's');
    expect(tokens.get(huge.token)).toBeUndefined();
    tokens.forget(plain.token);
    expect(tokens.size).toBe(0);
  });

  it('drops the oldest entry past its bound', () => {
    const tokens = new VerifiedHmacTokens(2);
    const [a, b, c] = [1, 2, 3].map((iat) => jwtOf({ iss: 'k', iat })) as [
      ReturnType<typeof jwtOf>,
      ReturnType<typeof jwtOf>,
      ReturnType<typeof jwtOf>,
    ];
    for (const entry of [a, b, c]) tokens.remember(entry.token, entry.jwt, 's');
    expect(tokens.size).toBe(2);
    expect(tokens.get(a.token)).toBeUndefined();
    expect(tokens.get(c.token)).toBeDefined();
  });
});
