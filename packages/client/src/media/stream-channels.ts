/**
 * The channels a publisher announces in its stream create (`content.channel`), as OpenTok.js sends them:
 * `video1` with the captured size, frame rate, source and fit mode when there is a video track, `audio1`
 * when there is a microphone, and always `caption1` (a `data` channel, active when the audio is sent for
 * live captioning).
 */
import type { PublisherOptions } from '../publisher/publisher-options.js';
import { CAPTION_CHANNEL } from '../session/captions.js';

/** What the publisher sends when it publishes. */
export interface ChannelState {
  publishAudio: boolean;
  publishVideo: boolean;
  publishCaptions: boolean;
}

/** The `channel` array of the stream create for `mediaStream`. */
export function streamChannels(
  mediaStream: MediaStream,
  options: PublisherOptions,
  state: ChannelState,
): Record<string, unknown>[] {
  const channels: Record<string, unknown>[] = [];
  const video = mediaStream.getVideoTracks()[0];
  if (video) {
    const settings = video.getSettings?.() ?? {};
    const source = options.videoSource === 'screen' ? 'screen' : 'camera';
    channels.push({
      id: 'video1',
      type: 'video',
      active: state.publishVideo,
      width: settings.width ?? 640,
      height: settings.height ?? 480,
      orientation: 0,
      frameRate: settings.frameRate ?? options.frameRate ?? 30,
      source,
      fitMode: options.fitMode ?? (source === 'screen' ? 'contain' : 'cover'),
    });
  }
  if (mediaStream.getAudioTracks().length > 0) {
    channels.push({ id: 'audio1', type: 'audio', active: state.publishAudio });
  }
  channels.push({ id: CAPTION_CHANNEL, type: 'data', active: state.publishCaptions });
  return channels;
}
