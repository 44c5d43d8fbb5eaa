/**
 * Renders the bundled OpenAPI document into TypeScript with openapi-typescript: `schema.ts` (the raw
 * `paths`/`components`/`webhooks` types) and `types.ts` (one friendly alias per schema, carrying the
 * schema's description as TSDoc, so users never write `components['schemas'][…]`). Shared by the
 * `generate` script and the staleness test, so both use exactly the same options.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';

/** The bundled spec the types are generated from. */
export const SPEC_PATH = fileURLToPath(new URL('../../../openapi/generated/parley.json', import.meta.url));
/** The committed outputs. */
export const SCHEMA_PATH = fileURLToPath(new URL('../src/generated/schema.ts', import.meta.url));
export const TYPES_PATH = fileURLToPath(new URL('../src/generated/types.ts', import.meta.url));

/**
 * Schema names that would shadow a global or an SDK export, and the alias used instead.
 * (`Error` is the error *body*; the SDK's error classes are the thrown values.)
 */
const RENAMED: Readonly<Record<string, string>> = { Error: 'ErrorBody' };

/** Renders the raw types of the spec at `specPath`. */
export async function renderSchema(specPath: string = SPEC_PATH): Promise<string> {
  const ast = await openapiTS(new URL(`file://${specPath}`), {
    // Fields with a default stay optional in request types.
    defaultNonNullable: false,
    alphabetize: false,
  });
  return `${COMMENT_HEADER}${astToString(ast)}`;
}

/** Renders one exported alias per component schema, documented with the schema's description. */
export function renderTypeAliases(specPath: string = SPEC_PATH): string {
  const spec = JSON.parse(readFileSync(specPath, 'utf8')) as {
    components?: { schemas?: Record<string, { description?: string; title?: string }> };
  };
  const lines = [
    COMMENT_HEADER.trimEnd(),
    '',
    "import type { components } from './schema.js';",
    '',
    'type Schemas = components["schemas"];',
    '',
  ];
  for (const [name, schema] of Object.entries(spec.components?.schemas ?? {})) {
    const alias = RENAMED[name] ?? name;
    const description = (schema.description ?? schema.title ?? `The \`${name}\` schema of the API.`).trim();
    lines.push('/**');
    for (const line of description.replaceAll('*/', '*\\/').split('\n')) lines.push(` * ${line}`.trimEnd());
    lines.push(' */');
    lines.push(`export type ${alias} = Schemas[${JSON.stringify(name)}];`);
    lines.push('');
  }
  return `${lines.join('\n')}`;
}
