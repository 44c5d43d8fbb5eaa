import { define, type ErrorDefinition } from '../define.js';

/** Errors of project management, callback registrations and project settings. */
export const PROJECT_ERRORS = {
  PROJECT_NOT_FOUND: define(
    40464,
    'The project was not found',
    'No project has the application ID or API key in the path.',
    'List the projects with `GET /v2/project` or `parley projects list`.',
  ),
  CALLBACK_NOT_FOUND: define(
    40463,
    'The callback was not found',
    'The project has no callback registration with that ID.',
    'List the registrations with `GET /v2/project/{projectId}/callback`.',
  ),
  ARCHIVE_STORAGE_TEST_FAILED: define(
    40065,
    'Could not write a test object to the archive storage target',
    'Before saving an archive upload target, the server writes a small test object (`<apiKey>/parley-storage-test.txt`) to it; the target refused it or could not be reached. The message names the bucket or container and the reason (the provider’s error code such as `AccessDenied` or `AuthenticationFailed`, an HTTP status, or the network error).',
    'Check the credentials, that the bucket or container exists, that the credentials may write objects to it, and for S3-compatible providers the `endpoint`.',
  ),
} as const satisfies Record<string, ErrorDefinition>;
