/**
 * The base of every resource class (`video.archives`, `video.sessions`, …): access to the client's
 * request executor, its project, and its token minter.
 */
import type { TokenRole } from '../lib/token-options.js';
import type { ClientTokenMinter } from '../lib/tokens.js';
import { InvalidArgumentError } from './errors.js';
import type { RequestExecutor } from './request.js';

/** What resources share with their client. */
export interface ClientContext {
  readonly executor: RequestExecutor;
  /** The project in `/v2/project/{projectId}` paths, if project credentials were given. */
  readonly projectId: string | undefined;
  readonly tokens: ClientTokenMinter;
}

/** A group of API operations mounted on the client. */
export abstract class APIResource {
  /** @internal */
  protected readonly _client: ClientContext;

  /** @internal Resources are created by the client. */
  constructor(client: ClientContext) {
    this._client = client;
  }

  /**
   * The client token a server-side participant (SIP call, render, captions, Audio Connector) joins
   * with: `given` when the caller passed one, else one minted locally with `role`.
   */
  protected async tokenFor(sessionId: string, given: string | undefined, role: TokenRole): Promise<string> {
    if (given !== undefined) {
      if (typeof given !== 'string' || given === '') {
        throw new InvalidArgumentError('options.token', 'must be a non-empty client token when given');
      }
      return given;
    }
    return this._client.tokens.generate(sessionId, { role });
  }

  /** `/v2/project/{projectId}` followed by `suffix` (already encoded). */
  protected projectPath(suffix = ''): string {
    const { projectId } = this._client;
    if (projectId === undefined) {
      throw new InvalidArgumentError(
        'credentials',
        'for a project are required for this call: pass applicationId and privateKey, or apiKey and apiSecret',
      );
    }
    return `/v2/project/${encodeURIComponent(projectId)}${suffix}`;
  }
}
