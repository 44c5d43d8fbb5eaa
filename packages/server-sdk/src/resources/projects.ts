/**
 * Projects: account-level project management, signed with the account key and secret.
 */
import { path, requireId } from '../core/path.js';
import type { RequestOptions } from '../core/request.js';
import { APIResource } from '../core/resource.js';
import type {
  ProjectCreated,
  ProjectCreateParams,
  ProjectDetails,
  ProjectList,
  ProjectUpdateParams,
} from '../generated/types.js';

/** Manage the projects of an account (requires `accountApiKey` and `accountApiSecret`). */
export class Projects extends APIResource {
  /** Creates a project; the answer carries its secret, private key and webhook secret (shown once). */
  async create(params: ProjectCreateParams = {}, requestOptions?: RequestOptions): Promise<ProjectCreated> {
    return this._client.executor.request<ProjectCreated>(
      { method: 'POST', path: '/v2/project', body: params, auth: 'account' },
      requestOptions,
    );
  }

  /** Lists the account's projects. */
  async list(requestOptions?: RequestOptions): Promise<ProjectDetails[]> {
    return this._client.executor.request<ProjectList>(
      { method: 'GET', path: '/v2/project', auth: 'account' },
      requestOptions,
    );
  }

  /** Gets one project by application ID or API key. */
  async retrieve(projectId: string, requestOptions?: RequestOptions): Promise<ProjectDetails> {
    requireId(projectId, 'projectId');
    return this._client.executor.request<ProjectDetails>(
      { method: 'GET', path: path`/v2/project/${projectId}`, auth: 'account' },
      requestOptions,
    );
  }

  /** Changes a project: suspend or reactivate it (`status`), rename it, or move its environment. */
  async update(
    projectId: string,
    params: ProjectUpdateParams,
    requestOptions?: RequestOptions,
  ): Promise<ProjectDetails> {
    requireId(projectId, 'projectId');
    return this._client.executor.request<ProjectDetails>(
      { method: 'PUT', path: path`/v2/project/${projectId}`, body: params, auth: 'account' },
      requestOptions,
    );
  }

  /** Deletes a project and everything it owns. */
  async delete(projectId: string, requestOptions?: RequestOptions): Promise<void> {
    requireId(projectId, 'projectId');
    await this._client.executor.request(
      { method: 'DELETE', path: path`/v2/project/${projectId}`, auth: 'account' },
      requestOptions,
    );
  }

  /** Replaces a project's API secret; the answer carries the new one. The old secret stops working. */
  async refreshSecret(projectId: string, requestOptions?: RequestOptions): Promise<ProjectDetails> {
    requireId(projectId, 'projectId');
    return this._client.executor.request<ProjectDetails>(
      { method: 'POST', path: path`/v2/project/${projectId}/refreshSecret`, body: {}, auth: 'account' },
      requestOptions,
    );
  }
}
