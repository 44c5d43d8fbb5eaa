/**
 * Project lifecycle operations shared by the REST project-management handlers and the `parley` CLI, so both
 * create and rotate projects the same way.
 */
import { StoreError } from '../store/errors.js';
import type { ProjectRecord, Store } from '../store/types.js';
import {
  type AccountCredentials,
  generateApiKey,
  generateApiSecret,
  generateProjectCredentials,
  newProjectRecord,
  type ProjectCredentials,
} from './credentials.js';

/** The name given to projects created without one. */
export const DEFAULT_PROJECT_NAME = 'Default project';

/** A newly created project: its stored record and the credentials (with the private key) shown once. */
export interface CreatedProject {
  project: ProjectRecord;
  credentials: ProjectCredentials;
}

/** Options of {@link createProject}. */
export interface CreateProjectOptions {
  name?: string;
  /** The account, whose key a project API key must never equal (it would make `iss` ambiguous). */
  account?: AccountCredentials;
  now?: number;
}

/**
 * Creates a project with fresh credentials. API keys are random 8-digit numbers; on the rare collision
 * with an existing project a new key is drawn.
 */
export async function createProject(
  store: Store,
  options: CreateProjectOptions = {},
): Promise<CreatedProject> {
  const credentials = await generateProjectCredentials();
  const name = options.name ?? DEFAULT_PROJECT_NAME;
  for (let attempt = 0; ; attempt++) {
    if (credentials.apiKey === options.account?.apiKey || (await store.projects.get(credentials.apiKey))) {
      credentials.apiKey = generateApiKey();
      continue;
    }
    const project = newProjectRecord(credentials, name, options.now ?? Date.now());
    try {
      await store.projects.create(project);
      return { project, credentials };
    } catch (error) {
      // Another writer took the same key between the check and the insert; draw again a few times.
      if (error instanceof StoreError && error.reason === 'conflict' && attempt < 5) {
        credentials.apiKey = generateApiKey();
        continue;
      }
      throw error;
    }
  }
}

/** Replaces a project's API secret. Returns the updated project, or null when it does not exist. */
export async function rotateProjectSecret(
  store: Store,
  projectId: string,
  now: number = Date.now(),
): Promise<ProjectRecord | null> {
  const project = await store.projects.get(projectId);
  if (!project) return null;
  const updated: ProjectRecord = { ...project, apiSecret: generateApiSecret(), updatedAt: now };
  await store.projects.update(updated);
  return updated;
}
