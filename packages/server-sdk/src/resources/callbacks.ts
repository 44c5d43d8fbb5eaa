/**
 * Callbacks: the URLs that receive a project's webhooks (the legacy REST registration).
 */
import { path, requireId } from '../core/path.js';
import type { RequestOptions } from '../core/request.js';
import { APIResource } from '../core/resource.js';
import type { Callback, CallbackList, CallbackRegisterParams } from '../generated/types.js';

/** Register webhook URLs. */
export class Callbacks extends APIResource {
  /** Lists the project's registered callback URLs. */
  async list(requestOptions?: RequestOptions): Promise<Callback[]> {
    return this._client.executor.request<CallbackList>(
      { method: 'GET', path: this.projectPath('/callback') },
      requestOptions,
    );
  }

  /**
   * Registers a URL for one group of events (`archive`, `connection`, `stream`, `sip_call`, …).
   *
   * @example
   * await video.callbacks.register({ group: 'archive', event: 'status', url: 'https://example.com/hooks' });
   */
  async register(params: CallbackRegisterParams, requestOptions?: RequestOptions): Promise<Callback> {
    return this._client.executor.request<Callback>(
      { method: 'POST', path: this.projectPath('/callback'), body: params },
      requestOptions,
    );
  }

  /** Removes a registered callback URL. */
  async delete(callbackId: string, requestOptions?: RequestOptions): Promise<void> {
    requireId(callbackId, 'callbackId');
    await this._client.executor.request(
      { method: 'DELETE', path: this.projectPath(path`/callback/${callbackId}`) },
      requestOptions,
    );
  }
}
