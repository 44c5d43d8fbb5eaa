/**
 * Turns publisher options into a capture request, and capture failures into OpenTok.js errors
 * (`OT_USER_MEDIA_ACCESS_DENIED` when the user or browser refused, 1500 either way).
 */
import { ErrorCode, InvalidParameterError, ParleyClientError } from '../errors.js';
import type { PublisherOptions } from '../publisher/publisher-options.js';
import type { CaptureRequest } from './handler.js';

const RESOLUTION = /^(\d{2,5})x(\d{2,5})$/;

/** The capture request of a publisher; throws `OT_INVALID_PARAMETER` naming a bad option. */
export function captureRequest(options: PublisherOptions): CaptureRequest {
  const videoSource = options.videoSource === undefined ? 'camera' : options.videoSource;
  if (videoSource !== null && videoSource !== 'camera' && videoSource !== 'screen') {
    throw new InvalidParameterError('options.videoSource', "must be 'camera', 'screen' or null");
  }
  const audio = options.audioSource === undefined ? videoSource !== 'screen' : options.audioSource !== false;
  if (videoSource === null && !audio) {
    throw new InvalidParameterError(
      'options',
      'a publisher needs audio or video (videoSource and audioSource are both off)',
    );
  }
  const video: CaptureRequest['video'] = {};
  if (options.resolution !== undefined) {
    const match = RESOLUTION.exec(options.resolution);
    if (!match) throw new InvalidParameterError('options.resolution', "must look like '1280x720'");
    video.width = Number(match[1]);
    video.height = Number(match[2]);
  } else if (videoSource === 'camera') {
    video.width = 640;
    video.height = 480;
  }
  if (options.frameRate !== undefined) {
    if (![1, 7, 15, 30].includes(options.frameRate)) {
      throw new InvalidParameterError('options.frameRate', 'must be 1, 7, 15 or 30');
    }
    video.frameRate = options.frameRate;
  }
  const request: CaptureRequest = { videoSource, audio, video };
  if (typeof options.audioSource === 'string') request.audioDeviceId = options.audioSource;
  return request;
}

/** Converts a capture failure. */
export function captureError(error: unknown): ParleyClientError {
  const name = error instanceof Error ? error.name : '';
  const denied = name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError';
  const detail = error instanceof Error ? error.message : String(error);
  return new ParleyClientError(
    ErrorCode.UnableToPublish,
    denied ? 'OT_USER_MEDIA_ACCESS_DENIED' : 'OT_UNABLE_TO_PUBLISH',
    denied
      ? `Access to the camera, microphone or screen was denied: ${detail}`
      : `Could not capture media: ${detail}`,
    { cause: error },
  );
}
