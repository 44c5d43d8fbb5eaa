import { describe, expect, it } from 'vitest';
import {
  amzDate,
  canonicalQuery,
  canonicalUri,
  EMPTY_PAYLOAD_SHA256,
  sha256Hex,
  signV4,
  uriEncode,
} from './sigv4.js';

/** The example credentials and time of the AWS S3 documentation ("Signature Calculations…: Examples"). */
const credentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const now = new Date('2013-05-24T00:00:00Z');
const host = 'https://examplebucket.s3.amazonaws.com';
const signatureOf = (headers: Record<string, string>): string =>
  /Signature=([0-9a-f]{64})$/.exec(headers.authorization ?? '')?.[1] ?? '';

describe('signV4 reproduces the AWS documentation examples', () => {
  it('GET Object with a Range header', () => {
    const headers = signV4(
      {
        method: 'GET',
        url: new URL(`${host}/test.txt`),
        headers: { Range: 'bytes=0-9' },
        payloadHash: EMPTY_PAYLOAD_SHA256,
        region: 'us-east-1',
        now,
      },
      credentials,
    );
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
    expect(headers['x-amz-date']).toBe('20130524T000000Z');
  });

  it('PUT Object with a key that needs encoding and a signed payload', () => {
    const payloadHash = sha256Hex('Welcome to Amazon S3.');
    expect(payloadHash).toBe('44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072');
    const headers = signV4(
      {
        method: 'PUT',
        url: new URL(`${host}/test$file.text`),
        headers: { Date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-storage-class': 'REDUCED_REDUNDANCY' },
        payloadHash,
        region: 'us-east-1',
        now,
      },
      credentials,
    );
    expect(headers.authorization).toContain(
      'SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class',
    );
    expect(signatureOf(headers)).toBe('98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd');
  });

  it('GET Bucket lifecycle and GET Bucket (list objects): query strings', () => {
    const get = (query: string) =>
      signatureOf(
        signV4(
          {
            method: 'GET',
            url: new URL(`${host}/?${query}`),
            payloadHash: EMPTY_PAYLOAD_SHA256,
            region: 'us-east-1',
            now,
          },
          credentials,
        ),
      );
    expect(get('lifecycle')).toBe('fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543');
    expect(get('prefix=J&max-keys=2')).toBe(
      '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
    );
  });
});

describe('canonical pieces', () => {
  it('encodes every byte but the unreserved ones, slashes only in paths', () => {
    expect(uriEncode("a b+c/d~e_f.g-h!'()*é")).toBe('a%20b%2Bc%2Fd~e_f.g-h%21%27%28%29%2A%C3%A9');
    expect(uriEncode('a/b c', true)).toBe('a/b%20c');
  });

  it('encodes each path segment exactly once, whether or not the URL already encoded it', () => {
    expect(canonicalUri('/test$file.text')).toBe('/test%24file.text');
    expect(canonicalUri(new URL('http://h/a b/é(1).mp4').pathname)).toBe('/a%20b/%C3%A9%281%29.mp4');
    expect(canonicalUri('')).toBe('/');
  });

  it('sorts query parameters by name, then value', () => {
    expect(canonicalQuery(new URLSearchParams('b=2&a=2&a=1&c'))).toBe('a=1&a=2&b=2&c=');
  });

  it('formats the x-amz-date', () => {
    expect(amzDate(new Date('2026-11-23T22:53:14.426Z'))).toBe('20261123T225314Z');
  });
});
