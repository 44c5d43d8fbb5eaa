/**
 * What a publisher publishes, as the app passes it to `initPublisher()` or `session.publish()`. Kept in
 * its own file because capture (`media/capture.ts`), the stream's channels (`media/stream-channels.ts`)
 * and the `Publisher` all read it; the public type is exported from `Publisher.ts` and the package root.
 */

/** What to publish. */
export interface PublisherOptions {
  /** The stream name shown to others. Default `''`. */
  name?: string;
  /** Start with audio on. Default true. */
  publishAudio?: boolean;
  /** Start with video on. Default true. */
  publishVideo?: boolean;
  /** `camera` (default), `screen` for screen sharing, or `null` for audio only. */
  videoSource?: 'camera' | 'screen' | null;
  /** Capture a microphone. Default true (false for `screen`). */
  audioSource?: boolean | string;
  /** Capture resolution. Default 640x480 (screen: the screen's). */
  resolution?: `${number}x${number}`;
  /** Capture frame rate. */
  frameRate?: 1 | 7 | 15 | 30;
  /** How subscribers should fit the video. Default `cover` (screen: `contain`). */
  fitMode?: 'cover' | 'contain';
  /** Initials shown by subscribers when video is off. */
  initials?: string;
  /**
   * Send the audio for live captioning from the start (the stream's `hasCaptions`). Default false. Needs a
   * microphone; captions are produced only while a captioning of the session runs.
   */
  publishCaptions?: boolean;
}
