/** The client version the participant reports; the version the protocol notes describe. */
export const PARTICIPANT_CLIENT_VERSION = 'js-2.35.2';
