/**
 * Named skip presets for well-known targets, so `--preset reference-server` or `--preset vonage` is all a
 * run needs. Each preset's entries live in `skips.ts`, the one place skips are declared.
 */
import { REFERENCE_SERVER_SKIPS, type SkipEntry, VONAGE_CLOUD_SKIPS } from './skips.js';

/** The preset names. */
export const PRESETS = {
  /** Parley's reference server: the operations it does not implement yet. */
  'reference-server': REFERENCE_SERVER_SKIPS,
  /** Vonage's cloud: Parley-only operations and what the suite cannot do there. */
  vonage: VONAGE_CLOUD_SKIPS,
  /** No skips: every operation must work. */
  none: [] as readonly SkipEntry[],
} as const;

/** A preset name. */
export type PresetName = keyof typeof PRESETS;

/** True for a known preset name. */
export function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(PRESETS, name);
}
