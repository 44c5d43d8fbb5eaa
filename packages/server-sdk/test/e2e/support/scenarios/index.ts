/**
 * One call of every SDK method against the reference server, with what the call must produce once the
 * server implements the operation behind it. The end-to-end suite runs these and decides *at run time*
 * which operations are implemented: an operation the server does not implement yet answers 501, and the
 * suite then checks the SDK's typed error instead of the outcome below.
 */
import { LIVE_SCENARIOS } from './live.js';
import { PROJECT_SCENARIOS } from './projects.js';
import { RECORDING_SCENARIOS } from './recording.js';
import { SERVICE_SCENARIOS } from './services.js';
import type { Scenario } from './types.js';

export type { Fixture, Outcome, Scenario } from './types.js';

/** Every scenario; the suite fails when an SDK method or a spec operation has none. */
export const SCENARIOS: readonly Scenario[] = [
  ...LIVE_SCENARIOS,
  ...RECORDING_SCENARIOS,
  ...SERVICE_SCENARIOS,
  ...PROJECT_SCENARIOS,
];
