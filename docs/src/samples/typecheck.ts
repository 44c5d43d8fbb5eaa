/**
 * Type-checks the guides' samples with the TypeScript compiler against the real packages: the server
 * SDK and the browser client SDK (`@parley/client`) from their sources (so a fresh checkout needs no
 * build), `@vonage/video` and the OpenTok.js types from `docs/node_modules`. Samples live in memory as if they were files next to their guide, so module
 * resolution and the `"type": "module"` of `docs/package.json` apply as they would to a reader's file,
 * and errors point back to the guide's line.
 */
import { join } from 'node:path';
import ts from 'typescript';
import { DOCS_ROOT, GUIDES_DIR, packageDir, REPO_ROOT } from '../build/paths.js';
import type { Sample, SampleKind } from './extract.js';

/** One type error, located in its guide. */
export interface SampleDiagnostic {
  /** `guides/<file>.md:<line>` */
  location: string;
  message: string;
}

/** The in-memory file name of a sample: beside its guide, numbered by position. */
function virtualFile(sample: Sample, index: number): string {
  return join(GUIDES_DIR, `${sample.guide}.sample-${index + 1}.ts`);
}

function compilerOptions(kind: SampleKind): ts.CompilerOptions {
  const shared: ts.CompilerOptions = {
    strict: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    resolveJsonModule: true,
    target: ts.ScriptTarget.ES2023,
    // Samples are snippets a reader copies: unused variables are fine, implicit any is not.
    noUnusedLocals: false,
  };
  if (kind === 'browser') {
    return {
      ...shared,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
      types: [],
      // The client's sources, as its own typecheck sees them: its `dist/` exists only after a build.
      paths: { '@parley/client': [join(REPO_ROOT, 'packages', 'client', 'src', 'index.ts')] },
    };
  }
  const sdk = packageDir('@parley/server-sdk');
  return {
    ...shared,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2023.d.ts'],
    types: ['node'],
    typeRoots: [join(DOCS_ROOT, '..', 'node_modules', '@types')],
    paths: { '@parley/server-sdk': [join(sdk, 'src', 'index.ts')] },
  };
}

/** Type-checks samples of one kind; returns every error, located in the guides. */
export function typecheckSamples(samples: readonly Sample[], kind: SampleKind): SampleDiagnostic[] {
  const chosen = samples.filter((sample) => sample.kind === kind);
  if (chosen.length === 0) return [];
  const options = compilerOptions(kind);
  const files = new Map<string, Sample>();
  chosen.forEach((sample, index) => {
    files.set(virtualFile(sample, index), sample);
  });
  const host = ts.createCompilerHost(options, true);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (file) => files.has(file) || fileExists(file);
  // `export {}` makes every sample a module of its own, so two samples may declare the same names.
  host.readFile = (file) => {
    const sample = files.get(file);
    return sample ? `${sample.code}\nexport {};\n` : readFile(file);
  };
  host.getSourceFile = (file, languageVersion, onError, shouldCreate) => {
    const sample = files.get(file);
    if (sample) return ts.createSourceFile(file, `${sample.code}\nexport {};\n`, languageVersion, true);
    return getSourceFile(file, languageVersion, onError, shouldCreate);
  };
  const roots = [...files.keys()];
  if (kind === 'browser') {
    roots.push(join(packageDir('@vonage/client-sdk-video'), 'dist', 'js', 'opentok.d.ts'));
  }
  const program = ts.createProgram({ rootNames: roots, options, host });
  const diagnostics: SampleDiagnostic[] = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const file = diagnostic.file?.fileName;
    const sample = file ? files.get(file) : undefined;
    if (sample && diagnostic.file && diagnostic.start !== undefined) {
      const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      diagnostics.push({ location: `guides/${sample.guide}:${sample.line + line}`, message });
    } else {
      diagnostics.push({ location: file ?? '(compiler)', message });
    }
  }
  return diagnostics;
}
