/** `@parley/events`: the one typed event emitter of the Parley codebase. */
export * from './typed-emitter.js';
