/**
 * One call: the client session, the local camera and screen publishers, the subscribers, and the views
 * they update. Everything the page shows about the call is rendered from here.
 */
import {
  type Connection,
  initPublisher,
  initSession,
  type Publisher,
  type Session,
  type Stream,
  type Subscriber,
} from '@parley/client';
import type { JoinGrant } from './api.js';
import type { ArchiveList } from './archives.js';
import type { Chat } from './chat.js';
import { byId } from './dom.js';
import { displayName } from './names.js';
import { type ParticipantInfo, ParticipantList } from './participants.js';
import type { RecordingControl } from './recording.js';
import { VideoGrid } from './video-grid.js';

/** How the page hears from the call. */
export interface CallHooks {
  status(text: string): void;
  error(error: unknown): void;
  /** The call ended (left, removed, or the connection was lost). */
  ended(message: string): void;
}

const CAMERA_TILE = 'local-camera';
const SCREEN_TILE = 'local-screen';

/** A joined call. */
export class Call {
  readonly #hooks: CallHooks;
  readonly #chat: Chat;
  readonly #archives: ArchiveList;
  readonly #recording: RecordingControl;
  readonly #grid = new VideoGrid();
  readonly #participants: ParticipantList;
  readonly #subscribers = new Map<string, Subscriber>();
  readonly #buttons = {
    mic: byId('toggle-mic', HTMLButtonElement),
    camera: byId('toggle-camera', HTMLButtonElement),
    publish: byId('toggle-publish', HTMLButtonElement),
    screen: byId('toggle-screen', HTMLButtonElement),
    muteAll: byId('mute-all', HTMLButtonElement),
  };
  #session: Session | null = null;
  #name = '';
  #camera: Publisher | null = null;
  #screen: Publisher | null = null;
  #ending = false;
  /** Whether `connect` has finished (events before it describe the call as it was found). */
  #connected = false;

  constructor(hooks: CallHooks, chat: Chat, archives: ArchiveList, recording: RecordingControl) {
    this.#hooks = hooks;
    this.#chat = chat;
    this.#archives = archives;
    this.#recording = recording;
    this.#participants = new ParticipantList({
      muteStream: (stream) =>
        this.#moderate(`Muted ${this.#label(stream)}`, (s) => s.forceMuteStream(stream)),
      unpublish: (stream) =>
        this.#moderate(`Stopped ${this.#label(stream)}`, (s) => s.forceUnpublish(stream)),
      disconnect: (connection) =>
        this.#moderate(`Removed ${displayName(connection)}`, (s) => s.forceDisconnect(connection)),
    });
    this.#buttons.mic.addEventListener('click', () => this.#toggleAudio());
    this.#buttons.camera.addEventListener('click', () => this.#toggleVideo());
    this.#buttons.publish.addEventListener('click', () => void this.#togglePublishing());
    this.#buttons.screen.addEventListener('click', () => void this.#toggleScreen());
    this.#buttons.muteAll.addEventListener('click', () => {
      const own = [this.#camera?.stream, this.#screen?.stream].filter((s): s is Stream => s != null);
      void this.#moderate('Muted everyone else', (s) => s.forceMuteAll(own));
    });
  }

  /** Connects with the grant, then publishes the camera unless the role only subscribes. */
  async start(grant: JoinGrant, name: string): Promise<void> {
    this.#name = name;
    this.#ending = false;
    this.#connected = false;
    const session = initSession(grant.projectId, grant.sessionId, { url: location.origin });
    this.#session = session;
    this.#listen(session);
    this.#chat.attach(session);
    // Before connecting: the join announces an archive that is already recording.
    this.#recording.attach(grant);
    await session.connect(grant.token);
    this.#connected = true;
    this.#archives.show(grant.sessionId);
    this.#render();
    if (session.capabilities.publish) await this.#publishCamera();
    else this.#hooks.status(`Joined as ${name}. Your role watches and chats; it does not publish.`);
  }

  /** Leaves the call. */
  leave(): void {
    this.#session?.disconnect();
  }

  #listen(session: Session): void {
    const render = () => this.#render();
    session.on('connectionCreated', render);
    session.on('connectionDestroyed', ({ connection }) => {
      if (connection.connectionId !== session.connection?.connectionId)
        this.#hooks.status(`${displayName(connection)} left.`);
      render();
    });
    session.on('streamCreated', ({ stream }) => {
      render();
      this.#subscribe(stream).catch((error: unknown) => this.#hooks.error(error));
    });
    session.on('streamDestroyed', ({ stream }) => {
      this.#subscribers.delete(stream.streamId);
      this.#grid.remove(stream.streamId);
      render();
    });
    session.on('streamPropertyChanged', ({ stream }) => {
      this.#showRemote(stream);
      render();
    });
    session.on('muteForced', ({ active }) => {
      if (active) this.#hooks.status('A moderator muted everyone.');
      this.#render();
    });
    session.on('sessionReconnecting', () => this.#hooks.status('Connection lost; reconnecting…'));
    session.on('sessionReconnected', () => this.#hooks.status('Reconnected.'));
    session.on('archiveStarted', ({ id, name }) => {
      this.#recording.started(id, name);
      this.#hooks.status(this.#connected ? 'Recording started.' : 'This call is being recorded.');
      void this.#archives.refresh();
    });
    session.on('archiveStopped', ({ id }) => {
      this.#recording.stopped(id);
      this.#hooks.status('Recording stopped; the file is being processed.');
      this.#archives.watch(id);
    });
    session.on('sessionDisconnected', ({ reason }) => this.#end(reason));
  }

  async #subscribe(stream: Stream): Promise<void> {
    const session = this.#session;
    if (!session) return;
    const subscriber = await session.subscribe(stream);
    this.#subscribers.set(stream.streamId, subscriber);
    subscriber.on('videoDisabled', () => this.#showRemote(stream));
    subscriber.on('videoEnabled', () => this.#showRemote(stream));
    this.#showRemote(stream);
  }

  #showRemote(stream: Stream): void {
    const subscriber = this.#subscribers.get(stream.streamId);
    if (!subscriber) return;
    this.#grid.upsert({
      key: stream.streamId,
      name: displayName(stream.connection),
      local: false,
      screen: stream.videoType === 'screen',
      media: subscriber.mediaStream,
      hasAudio: stream.hasAudio,
      hasVideo: stream.hasVideo && subscriber.isSubscribedToVideo,
    });
  }

  async #publishCamera(): Promise<void> {
    const session = this.#session;
    if (!session) return;
    const publisher = initPublisher({ name: this.#name, resolution: '640x480' });
    this.#camera = publisher;
    publisher.on('muteForced', () => {
      this.#hooks.status('A moderator muted your microphone.');
      this.#showLocal();
      this.#render();
    });
    publisher.on('destroyed', ({ reason }) => {
      if (this.#camera === publisher) this.#camera = null;
      this.#grid.remove(CAMERA_TILE);
      if (reason === 'forceUnpublished') this.#hooks.status('A moderator stopped your camera.');
      this.#render();
    });
    this.#render();
    try {
      await session.publish(publisher);
      this.#hooks.status(`Joined as ${this.#name}; publishing your camera and microphone.`);
    } catch (error) {
      if (this.#camera === publisher) this.#camera = null;
      this.#hooks.error(error);
    }
    this.#showLocal();
    this.#render();
  }

  async #toggleScreen(): Promise<void> {
    const session = this.#session;
    if (!session) return;
    if (this.#screen) {
      await session.unpublish(this.#screen).catch((error: unknown) => this.#hooks.error(error));
      return;
    }
    const screen = initPublisher({ name: `${this.#name}'s screen`, videoSource: 'screen' });
    this.#screen = screen;
    screen.on('destroyed', () => {
      if (this.#screen === screen) this.#screen = null;
      this.#grid.remove(SCREEN_TILE);
      this.#render();
    });
    this.#render();
    try {
      await session.publish(screen);
      this.#showLocal();
    } catch (error) {
      if (this.#screen === screen) this.#screen = null;
      this.#hooks.error(error);
    }
    this.#render();
  }

  async #togglePublishing(): Promise<void> {
    const session = this.#session;
    if (!session) return;
    if (this.#camera)
      await session.unpublish(this.#camera).catch((error: unknown) => this.#hooks.error(error));
    else await this.#publishCamera();
  }

  #toggleAudio(): void {
    if (!this.#camera) return;
    this.#camera.publishAudio(!this.#camera.isPublishingAudio);
    this.#showLocal();
    this.#render();
  }

  #toggleVideo(): void {
    if (!this.#camera) return;
    this.#camera.publishVideo(!this.#camera.isPublishingVideo);
    this.#showLocal();
    this.#render();
  }

  #showLocal(): void {
    const camera = this.#camera;
    if (camera?.mediaStream) {
      this.#grid.upsert({
        key: CAMERA_TILE,
        name: this.#name,
        local: true,
        screen: false,
        media: camera.mediaStream,
        hasAudio: camera.isPublishingAudio,
        hasVideo: camera.isPublishingVideo,
      });
    }
    const screen = this.#screen;
    if (screen?.mediaStream) {
      this.#grid.upsert({
        key: SCREEN_TILE,
        name: this.#name,
        local: true,
        screen: true,
        media: screen.mediaStream,
        hasAudio: false,
        hasVideo: true,
      });
    }
  }

  async #moderate(done: string, action: (session: Session) => Promise<void>): Promise<void> {
    const session = this.#session;
    if (!session) return;
    try {
      await action(session);
      this.#hooks.status(`${done}.`);
    } catch (error) {
      this.#hooks.error(error);
    }
  }

  #label(stream: Stream): string {
    return `${displayName(stream.connection)}'s ${stream.videoType === 'screen' ? 'screen' : 'camera'}`;
  }

  /** Re-renders the participant list and the controls from the session's state. */
  #render(): void {
    const session = this.#session;
    if (!session) return;
    const capabilities = session.capabilities;
    const ownId = session.connection?.connectionId;
    const own = [this.#camera?.stream, this.#screen?.stream].filter((s): s is Stream => s != null);
    const byConnection = new Map<string, ParticipantInfo>();
    const add = (connection: Connection) => {
      if (!byConnection.has(connection.connectionId)) {
        byConnection.set(connection.connectionId, {
          connection,
          self: connection.connectionId === ownId,
          streams: [],
        });
      }
    };
    if (session.connection) add(session.connection);
    for (const connection of session.connections.values()) add(connection);
    for (const stream of [...session.streams.values(), ...own]) {
      const entry = byConnection.get(stream.connection.connectionId);
      if (entry && !entry.streams.some((s) => s.streamId === stream.streamId)) entry.streams.push(stream);
    }
    this.#participants.render([...byConnection.values()], capabilities);

    const { mic, camera, publish, screen, muteAll } = this.#buttons;
    const canPublish = capabilities.publish === 1;
    for (const button of [mic, camera, publish, screen]) button.hidden = !canPublish;
    screen.hidden = !canPublish || !navigator.mediaDevices?.getDisplayMedia;
    mic.disabled = !this.#camera?.stream;
    camera.disabled = !this.#camera?.stream;
    mic.textContent =
      this.#camera && !this.#camera.isPublishingAudio ? 'Unmute microphone' : 'Mute microphone';
    camera.textContent =
      this.#camera && !this.#camera.isPublishingVideo ? 'Turn camera on' : 'Turn camera off';
    publish.textContent = this.#camera ? 'Stop publishing' : 'Publish camera';
    screen.textContent = this.#screen ? 'Stop sharing' : 'Share screen';
    muteAll.hidden = capabilities.forceMute !== 1;
  }

  #end(reason: string): void {
    if (this.#ending) return;
    this.#ending = true;
    this.#grid.clear();
    this.#subscribers.clear();
    this.#camera = null;
    this.#screen = null;
    this.#chat.detach();
    this.#recording.detach();
    this.#session = null;
    const messages: Record<string, string> = {
      clientDisconnected: 'You left the call.',
      forceDisconnected: 'A moderator removed you from the call.',
      networkDisconnected: 'The connection to the server was lost.',
    };
    this.#hooks.ended(messages[reason] ?? `The call ended (${reason}).`);
  }
}
