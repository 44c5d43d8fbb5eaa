/**
 * The signalling of one outgoing SIP call (the UAC side of RFC 3261): the INVITE with Parley's SDP
 * offer and the custom `X-` headers, provisional responses, digest authentication on `401`/`407`
 * (one retry per challenge), `ACK` of the final response (in the transaction for a failure, in the
 * dialog for a `2xx`, re-sent when the `2xx` is retransmitted), `CANCEL` when the call is hung up before
 * the answer, `BYE` after it, and the requests the callee sends in the dialog: `BYE`, a re-INVITE (hold
 * and resume; answered with the same SDP), `OPTIONS`, `INFO`.
 */
import { randomBytes } from 'node:crypto';
import { digestCredentials, parseDigestChallenge } from './digest.js';
import {
  addressUri,
  header,
  headerParam,
  headerValues,
  type SipHeader,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from './message.js';
import { ClientTransactions, DEFAULT_TIMERS, newBranch, type SipTimers } from './transactions.js';
import type { SipTransport } from './transport.js';
import { hostForUri } from './uri.js';

/** What the call is placed with. */
export interface CallSignallingOptions {
  transport: SipTransport;
  /** The Request-URI (the dialled URI). */
  uri: string;
  /** `user@domain` of the caller, or null for the anonymous `+00000000`. */
  from: string | null;
  /** Custom headers (names start with `X-`). */
  headers: Readonly<Record<string, string>>;
  auth: { username: string; password: string } | null;
  /** The SDP offer. */
  sdp: string;
  timers?: SipTimers;
  /** How long the callee may ring before the call is cancelled (a local `408`). */
  ringTimeoutMs: number;
}

/** What the signalling reports to the call. */
export interface CallSignallingEvents {
  /** A `1xx` other than `100` (ringing, session progress). */
  onRinging(): void;
  /** The `2xx` with the callee's SDP. */
  onAnswered(sdp: string): void;
  /** A final failure (a SIP status, or a local `408`/`503`). */
  onFailed(status: number, reason: string): void;
  /** The callee sent `BYE`. */
  onRemoteHangup(): void;
  /** The callee re-offered (hold/resume); the SDP is its new offer. */
  onReoffer(sdp: string): void;
}

const USER_AGENT = 'Parley';
const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO';

/** One call's signalling; see the file comment. */
export class CallSignalling {
  readonly #options: CallSignallingOptions;
  readonly #events: CallSignallingEvents;
  readonly #transactions: ClientTransactions;
  readonly #callId: string;
  readonly #localTag = randomBytes(6).toString('hex');
  #cseq = 1;
  #invite: SipRequest | null = null;
  #state: 'idle' | 'calling' | 'early' | 'confirmed' | 'ended' = 'idle';
  #remoteTag: string | null = null;
  #remoteTarget: string;
  #routeSet: string[] = [];
  #ack: SipRequest | null = null;
  #authTries = 0;
  #cancelWanted = false;
  #ringTimer: NodeJS.Timeout | undefined;
  /** Resolves the promise of {@link CallSignalling.hangup}. */
  #settle: () => void = () => undefined;

  constructor(options: CallSignallingOptions, events: CallSignallingEvents) {
    this.#options = options;
    this.#events = events;
    this.#remoteTarget = options.uri;
    this.#transactions = new ClientTransactions(options.transport, options.timers ?? DEFAULT_TIMERS);
    this.#callId = `${randomBytes(12).toString('hex')}@${hostForUri(options.transport.localAddress)}`;
    options.transport.onMessage((message) => this.#receive(message));
    options.transport.onClose(() => {
      if (this.#state === 'confirmed') this.#end(() => this.#events.onRemoteHangup());
      else if (this.#state !== 'ended') this.#end(() => this.#events.onFailed(503, 'Service Unavailable'));
    });
  }

  /** The Call-ID (for logs). */
  get callId(): string {
    return this.#callId;
  }

  /** Sends the INVITE. */
  start(): void {
    this.#state = 'calling';
    this.#sendInvite(null);
  }

  /**
   * Hangs up: `BYE` once answered, `CANCEL` while ringing (sent as soon as a provisional response
   * arrives, as RFC 3261 §9.1 asks). Reports nothing more afterwards. Resolves when the far end has
   * answered the `BYE` (or the INVITE has ended after the `CANCEL`), or at once when nothing was sent.
   */
  hangup(): Promise<void> {
    const state = this.#state;
    if (state === 'ended' || state === 'idle') {
      this.#state = 'ended';
      return Promise.resolve();
    }
    const settled = new Promise<void>((resolve) => {
      this.#settle = resolve;
    });
    clearTimeout(this.#ringTimer);
    if (state === 'confirmed') {
      this.#sendInDialog('BYE');
      this.#state = 'ended';
      return settled;
    }
    this.#cancelWanted = true;
    if (state === 'early') this.#sendCancel();
    return settled;
  }

  /** Stops timers and transactions (after the call has ended). */
  close(): void {
    clearTimeout(this.#ringTimer);
    this.#transactions.close();
    this.#state = 'ended';
  }

  #base(method: string, cseq: number, uri: string, branch: string): SipRequest {
    const { transport } = this.#options;
    const local = `${hostForUri(transport.localAddress)}:${transport.localPort}`;
    const via = `SIP/2.0/${transport.kind.toUpperCase()} ${local};branch=${branch};rport`;
    const fromUri = this.#options.from ? `sip:${this.#options.from}` : `sip:+00000000@${local}`;
    const to = `<${this.#options.uri}>${this.#remoteTag ? `;tag=${this.#remoteTag}` : ''}`;
    const transportParam = transport.kind === 'udp' ? '' : `;transport=${transport.kind}`;
    const headers: SipHeader[] = [
      { name: 'via', value: via },
      { name: 'max-forwards', value: '70' },
      { name: 'from', value: `<${fromUri}>;tag=${this.#localTag}` },
      { name: 'to', value: to },
      { name: 'call-id', value: this.#callId },
      { name: 'cseq', value: `${cseq} ${method}` },
      { name: 'contact', value: `<sip:parley@${local}${transportParam}>` },
      { name: 'user-agent', value: USER_AGENT },
    ];
    for (const route of this.#routeSet) headers.push({ name: 'route', value: route });
    return { kind: 'request', method, uri, headers, body: Buffer.alloc(0) };
  }

  #sendInvite(authorization: SipHeader | null): void {
    const invite = this.#base('INVITE', this.#cseq, this.#options.uri, newBranch());
    invite.headers.push({ name: 'allow', value: ALLOW });
    for (const [name, value] of Object.entries(this.#options.headers)) {
      invite.headers.push({ name: name.toLowerCase(), value, spelled: name });
    }
    if (authorization) invite.headers.push(authorization);
    invite.headers.push({ name: 'content-type', value: 'application/sdp' });
    invite.body = Buffer.from(this.#options.sdp, 'utf8');
    this.#invite = invite;
    this.#transactions.start(invite, {
      onResponse: (response, local) => this.#inviteResponse(invite, response, local),
    });
  }

  #inviteResponse(invite: SipRequest, response: SipResponse, local: boolean): void {
    if (this.#invite !== invite || this.#state === 'ended') {
      // A 2xx after the call ended (CANCEL crossed the answer): acknowledge it and hang up at once.
      if (response.status >= 200 && response.status < 300 && this.#state === 'ended')
        this.#acceptThenBye(response);
      return;
    }
    const { status } = response;
    if (status < 200) {
      if (status === 100) return;
      const wasCalling = this.#state === 'calling';
      this.#state = 'early';
      if (wasCalling) {
        this.#ringTimer = setTimeout(() => this.#ringTimedOut(), this.#options.ringTimeoutMs);
        if (this.#cancelWanted) this.#sendCancel();
      }
      if (!this.#cancelWanted) this.#events.onRinging();
      return;
    }
    clearTimeout(this.#ringTimer);
    if (status < 300) {
      this.#confirm(response);
      if (this.#cancelWanted) {
        this.#state = 'ended';
        this.#sendInDialog('BYE');
        return;
      }
      this.#events.onAnswered(response.body.toString('utf8'));
      return;
    }
    if (!local) this.#ackFailure(invite, response);
    if (
      (status === 401 || status === 407) &&
      this.#options.auth &&
      this.#authTries < 2 &&
      !this.#cancelWanted
    ) {
      const credentials = this.#answerChallenge(response, 'INVITE', this.#options.uri);
      if (credentials) {
        this.#authTries++;
        this.#cseq++;
        this.#state = 'calling';
        this.#sendInvite(credentials);
        return;
      }
    }
    if (this.#cancelWanted) {
      this.close();
      this.#settle();
      return;
    }
    this.#end(() => this.#events.onFailed(status, response.reason || 'Call Failed'));
  }

  #answerChallenge(response: SipResponse, method: string, uri: string): SipHeader | null {
    const auth = this.#options.auth;
    const challengeHeader = response.status === 401 ? 'www-authenticate' : 'proxy-authenticate';
    // Not split on commas: a challenge's own parameters are comma-separated.
    const value = response.headers.find(
      (h) => h.name === challengeHeader && /^\s*digest/i.test(h.value),
    )?.value;
    if (!auth || !value) return null;
    try {
      const credentials = digestCredentials(parseDigestChallenge(value), {
        method,
        uri,
        nonceCount: 1,
        ...auth,
      });
      return { name: response.status === 401 ? 'authorization' : 'proxy-authorization', value: credentials };
    } catch {
      return null; // An algorithm or qop we cannot answer: the call fails with the challenge's status.
    }
  }

  /** The dialog from a 2xx: the remote tag, target and route set; then the ACK (§13.2.2.4). */
  #confirm(response: SipResponse): void {
    this.#state = 'confirmed';
    this.#remoteTag = headerParam(header(response, 'to') ?? '', 'tag') ?? null;
    const contact = header(response, 'contact');
    if (contact) this.#remoteTarget = addressUri(contact);
    this.#routeSet = headerValues(response, 'record-route').reverse();
    this.#ack = this.#base('ACK', this.#cseq, this.#remoteTarget, newBranch());
    this.#options.transport.send(this.#ack);
  }

  #acceptThenBye(response: SipResponse): void {
    this.#confirm(response);
    this.#sendInDialog('BYE');
    this.#state = 'ended';
  }

  /** ACK of a non-2xx final response: same branch and Request-URI as the INVITE (§17.1.1.3). */
  #ackFailure(invite: SipRequest, response: SipResponse): void {
    const ack: SipRequest = {
      kind: 'request',
      method: 'ACK',
      uri: invite.uri,
      headers: [
        ...invite.headers.filter((h) => ['via', 'max-forwards', 'from', 'call-id', 'route'].includes(h.name)),
        { name: 'to', value: header(response, 'to') ?? '' },
        { name: 'cseq', value: `${this.#cseq} ACK` },
      ],
      body: Buffer.alloc(0),
    };
    this.#options.transport.send(ack);
  }

  #sendCancel(): void {
    const invite = this.#invite;
    if (!invite) return;
    const cancel: SipRequest = {
      kind: 'request',
      method: 'CANCEL',
      uri: invite.uri,
      headers: [
        ...invite.headers.filter((h) =>
          ['via', 'max-forwards', 'from', 'to', 'call-id', 'route'].includes(h.name),
        ),
        { name: 'cseq', value: `${this.#cseq} CANCEL` },
        { name: 'user-agent', value: USER_AGENT },
      ],
      body: Buffer.alloc(0),
    };
    // The INVITE then ends with 487, which #inviteResponse acknowledges; nothing is reported.
    this.#transactions.start(cancel, { onResponse: () => undefined });
  }

  #ringTimedOut(): void {
    if (this.#state !== 'early') return;
    this.#sendCancel();
    this.#end(() => this.#events.onFailed(408, 'Request Timeout'));
  }

  #sendInDialog(method: 'BYE'): void {
    this.#cseq++;
    const request = this.#base(method, this.#cseq, this.#remoteTarget, newBranch());
    let challenged = false;
    const onResponse = (response: SipResponse) => {
      if (response.status < 200) return;
      const credentials =
        (response.status === 401 || response.status === 407) && !challenged
          ? this.#answerChallenge(response, method, request.uri)
          : null;
      if (!credentials) {
        this.#settle();
        return;
      }
      challenged = true;
      this.#cseq++;
      const retry = this.#base(method, this.#cseq, this.#remoteTarget, newBranch());
      retry.headers.push(credentials);
      this.#transactions.start(retry, { onResponse });
    };
    this.#transactions.start(request, { onResponse });
  }

  #receive(message: SipMessage): void {
    if (message.kind === 'response') {
      if (this.#transactions.receive(message)) return;
      // A retransmitted 2xx of the INVITE: the ACK was lost, send it again (§13.2.2.4).
      if (message.status >= 200 && message.status < 300 && /INVITE/i.test(header(message, 'cseq') ?? '')) {
        if (this.#ack) this.#options.transport.send(this.#ack);
      }
      return;
    }
    if (header(message, 'call-id') !== this.#callId) {
      if (message.method !== 'ACK') this.#respond(message, 481, 'Call/Transaction Does Not Exist');
      return;
    }
    switch (message.method) {
      case 'ACK':
        return;
      case 'BYE':
        this.#respond(message, 200, 'OK');
        if (this.#state !== 'ended') this.#end(() => this.#events.onRemoteHangup());
        return;
      case 'INVITE':
        if (this.#state !== 'confirmed') {
          this.#respond(message, 491, 'Request Pending');
          return;
        }
        this.#respond(message, 200, 'OK', this.#options.sdp);
        if (message.body.length > 0) this.#events.onReoffer(message.body.toString('utf8'));
        return;
      case 'OPTIONS':
      case 'INFO':
      case 'UPDATE':
        this.#respond(message, 200, 'OK');
        return;
      default:
        this.#respond(message, 501, 'Not Implemented');
    }
  }

  #respond(request: SipRequest, status: number, reason: string, sdp?: string): void {
    const { transport } = this.#options;
    const to = header(request, 'to') ?? '';
    const headers: SipHeader[] = [
      ...request.headers.filter((h) => ['via', 'from', 'call-id', 'cseq', 'record-route'].includes(h.name)),
      { name: 'to', value: headerParam(to, 'tag') === undefined ? `${to};tag=${this.#localTag}` : to },
      { name: 'contact', value: `<sip:parley@${hostForUri(transport.localAddress)}:${transport.localPort}>` },
      { name: 'allow', value: ALLOW },
    ];
    if (sdp) headers.push({ name: 'content-type', value: 'application/sdp' });
    transport.send({ kind: 'response', status, reason, headers, body: Buffer.from(sdp ?? '', 'utf8') });
  }

  #end(report: () => void): void {
    if (this.#state === 'ended') return;
    this.close();
    report();
  }
}
