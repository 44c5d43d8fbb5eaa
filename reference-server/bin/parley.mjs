#!/usr/bin/env node
// The `parley` command: loads the TypeScript CLI through tsx's loader, in this process (so signals such as
// SIGTERM reach the server directly), without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const { processIo } = await import('../src/cli/io.ts');
process.exitCode = await main(process.argv.slice(2), processIo());
