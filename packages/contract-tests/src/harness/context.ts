/**
 * The per-worker state of a contract run: the injected configuration, the spec (loaded once), and
 * clients for the target. Contract files get it through {@link contractTest}.
 */
import { inject } from 'vitest';
import { type ClientRole, mintClientToken } from '../auth/client-token.js';
import { projectAuthStyles } from '../auth/credentials.js';
import { CheckFailure, checkResponse, describeExchange } from '../checks/index.js';
import { ApiClient, type ApiResponse, type CallOptions } from '../http/client.js';
import { joinSession, type Participant } from '../participants/index.js';
import { type ContractSpec, loadContractSpec } from '../spec.js';
import { RUN_CONFIG_KEY, type RunConfig } from './run-config.js';
import { WebhookReceiver } from './webhook-receiver.js';

let cached: { config: RunConfig; spec: ContractSpec } | null = null;

/** The run's configuration and spec. Throws with a hint when a contract file is run outside a run. */
export function runContext(): { config: RunConfig; spec: ContractSpec } {
  if (cached) return cached;
  const config = inject(RUN_CONFIG_KEY);
  if (!config) {
    throw new Error('Contract files run only through runContractSuite() or the parley-contract-tests CLI');
  }
  cached = { config, spec: loadContractSpec(config.specFile) };
  return cached;
}

/** What a contract test body works with. */
export class ContractHarness {
  readonly spec: ContractSpec;
  readonly config: RunConfig;
  /** A client signing with the first available project auth style (Vonage when given). */
  readonly api: ApiClient;
  /** One client per project auth style the credentials support. */
  readonly apis: readonly ApiClient[];
  readonly #cleanups: (() => Promise<unknown>)[] = [];
  readonly #onCall: (operationId: string) => void;

  constructor(onCall: (operationId: string) => void) {
    this.#onCall = onCall;
    const { config, spec } = runContext();
    this.spec = spec;
    this.config = config;
    this.apis = projectAuthStyles(config.credentials).map(
      (style) =>
        new ApiClient({
          baseUrl: config.baseUrl,
          spec,
          credentials: config.credentials,
          style,
          onCall,
          timeoutMs: config.requestTimeoutMs,
        }),
    );
    const first = this.apis[0];
    if (!first) throw new Error('The run has no project credentials');
    this.api = first;
  }

  /** Calls an operation and runs every response check on the answer. */
  async send(
    operationId: string,
    options: CallOptions = {},
    client: ApiClient = this.api,
  ): Promise<ApiResponse> {
    return checkResponse(this.spec, await client.call(operationId, options));
  }

  /** Sends, checks, and requires one of `statuses`; returns the response. */
  async expect(
    operationId: string,
    statuses: number | number[],
    options: CallOptions = {},
    client?: ApiClient,
  ): Promise<ApiResponse> {
    return expectStatus(await this.send(operationId, options, client), statuses);
  }

  /**
   * Records an operation exercised outside the HTTP client (a WebSocket upgrade, a webhook received),
   * for the coverage report.
   */
  record(operationId: string): void {
    this.#onCall(operationId);
  }

  /** Mints a client token for a session. */
  token(sessionId: string, role: ClientRole = 'publisher', data?: string): Promise<string> {
    return mintClientToken(this.config.credentials, {
      sessionId,
      role,
      ...(data !== undefined ? { data } : {}),
    });
  }

  /** Joins a headless participant to a session; it leaves when the test ends. */
  async join(sessionId: string, role: ClientRole = 'publisher', data?: string): Promise<Participant> {
    const participant = await joinSession({
      baseUrl: this.config.baseUrl,
      sessionId,
      token: await this.token(sessionId, role, data),
      timeoutMs: this.config.requestTimeoutMs,
    });
    this.defer(() => participant.disconnect());
    return participant;
  }

  /** Starts a webhook receiver on the run's receiver host; it stops when the test ends. */
  async receiver(): Promise<WebhookReceiver> {
    const receiver = await WebhookReceiver.start(this.config.receiverHost);
    this.defer(() => receiver.close());
    return receiver;
  }

  /**
   * Registers the receiver for one callback group and event (`registerCallback`), at a path naming
   * both; the registration is removed when the test ends.
   */
  async subscribe(receiver: WebhookReceiver, group: string, event: string): Promise<string> {
    const path = `/webhooks/${group}/${event}`;
    const response = await this.expect('registerCallback', 200, {
      body: { group, event, url: receiver.url(path) },
    });
    const id = (response.body as { id: string }).id;
    this.defer(() => this.api.call('deleteCallback', { path: { callbackId: id } }));
    return path;
  }

  /** Registers a clean-up (deleting what a test created), run after the test even when it fails. */
  defer(cleanup: () => Promise<unknown>): void {
    this.#cleanups.unshift(cleanup);
  }

  /** Runs the clean-ups, newest first; their failures are reported together. */
  async cleanUp(): Promise<void> {
    const errors: unknown[] = [];
    for (const cleanup of this.#cleanups.splice(0)) {
      await cleanup().catch((error: unknown) => errors.push(error));
    }
    if (errors.length > 0) throw new AggregateError(errors, 'clean-up after the test failed');
  }
}

/** Requires the response status to be one of `statuses`. */
export function expectStatus(response: ApiResponse, statuses: number | number[]): ApiResponse {
  const list = Array.isArray(statuses) ? statuses : [statuses];
  if (list.includes(response.status)) return response;
  throw new CheckFailure(
    'statusCodeConformance',
    `expected ${list.join(' or ')} from ${response.operation.operationId}: ${describeExchange(response)}`,
  );
}
