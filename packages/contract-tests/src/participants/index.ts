/** Headless participants that join sessions over the OpenTok.js signaling protocol. */
export * from './participant.js';
export { type JoinOptions, joinSession, PARTICIPANT_CLIENT_VERSION } from './rumor-participant.js';
