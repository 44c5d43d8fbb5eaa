/**
 * The Chromium command-line flags Parley runs Debian's Chromium with, in one place: the render service's
 * browsers (production) and every test that drives Chromium (engine, realtime, client and render tests).
 * Each user adds only the flags its own purpose needs (fake devices, a speech file, tab capture, …).
 */

/** Debian's Chromium. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags every Parley Chromium runs with: no sandbox (containers), no GPU, no QUIC, and none of the
 * background traffic (component updates, sync, first-run pages) a server-side browser must not make.
 */
export const CHROMIUM_BASE_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A fake camera and microphone, granted without a permission prompt (tests). */
export const CHROMIUM_FAKE_MEDIA_FLAGS: readonly string[] = [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];

/**
 * WebRTC over loopback: CI runs the tests in a network namespace whose only interface is loopback, where
 * Chromium gathers no candidate without this (and renders reach a server on the same host through it).
 */
export const CHROMIUM_LOOPBACK_FLAGS: readonly string[] = ['--allow-loopback-in-peer-connection'];

/** Host names resolve to nothing but 127.0.0.1: a test page can never reach the network by name. */
export const CHROMIUM_LOOPBACK_ONLY_RESOLVER = '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1';

/** Pages that are not in front (several participants share one browser) keep their timers running. */
export const CHROMIUM_NO_BACKGROUND_THROTTLING_FLAGS: readonly string[] = [
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];
