/**
 * SIP interconnect: dial a SIP endpoint into a session, and play DTMF tones.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { describe, path, requireId } from '../core/path.js';
import type { RequestOptions } from '../core/request.js';
import { APIResource } from '../core/resource.js';
import type { SipCall, SipDialParams } from '../generated/types.js';
import { assertSessionIdShape } from '../lib/session-id.js';

/** Options of {@link Sip.dial}. */
export interface SipDialOptions {
  /** The SIP endpoint and how to call it (`uri` is required). */
  sip: SipDialParams['sip'];
  /** The client token the SIP leg joins with; minted locally (role `publisher`) when omitted. */
  token?: string;
}

/** Connect phones and SIP systems to sessions. */
export class Sip extends APIResource {
  /**
   * Dials a SIP endpoint into a session. The call's connection and stream appear in the session at
   * once; end the call with `connections.forceDisconnect(sessionId, call.connectionId)`.
   *
   * @example
   * const call = await video.sip.dial(sessionId, { sip: { uri: 'sip:alice@example.com;transport=tls' } });
   */
  async dial(sessionId: string, options: SipDialOptions, requestOptions?: RequestOptions): Promise<SipCall> {
    assertSessionIdShape(sessionId);
    if (typeof options?.sip?.uri !== 'string' || options.sip.uri === '') {
      throw new InvalidArgumentError(
        'options.sip.uri',
        `must be a SIP URI (got ${describe(options?.sip?.uri)})`,
      );
    }
    const token = await this.tokenFor(sessionId, options.token, 'publisher');
    return this._client.executor.request<SipCall>(
      { method: 'POST', path: this.projectPath('/dial'), body: { sessionId, token, sip: options.sip } },
      requestOptions,
    );
  }

  /**
   * Plays DTMF tones (`0`–`9`, `*`, `#`, and `p` for a 500 ms pause) to every SIP call of the session,
   * or to one with `connectionId`.
   */
  async playDtmf(
    sessionId: string,
    digits: string,
    options: { connectionId?: string } = {},
    requestOptions?: RequestOptions,
  ): Promise<void> {
    assertSessionIdShape(sessionId);
    if (typeof digits !== 'string' || !/^[0-9*#p]{1,256}$/.test(digits)) {
      throw new InvalidArgumentError('digits', `must be 1–256 of 0-9 * # p (got ${describe(digits)})`);
    }
    const suffix =
      options.connectionId === undefined
        ? path`/session/${sessionId}/play-dtmf`
        : path`/session/${sessionId}/connection/${requireId(options.connectionId, 'options.connectionId')}/play-dtmf`;
    await this._client.executor.request(
      { method: 'POST', path: this.projectPath(suffix), body: { digits } },
      requestOptions,
    );
  }
}
