/**
 * The code that runs inside a rendered page (through `page.evaluate`): it joins the session with the
 * injected `@parley/client`, captures the page's own tab (video and audio) and publishes it, and reports
 * what later ends the render through a binding the render page exposes.
 *
 * These functions are serialised into the page, so they use nothing from their module scope and define
 * no named helpers (tsx would wrap those in a `__name` call the page does not have). The page's globals
 * have no types here, hence the loose `PageGlobals`.
 */

// biome-ignore lint/suspicious/noExplicitAny: the page's globals (the injected client, DOM) have no types in the server program.
type PageGlobals = any;

/** What the agent needs to join and publish. */
export interface AgentConfig {
  /** The global the client bundle defines. */
  clientGlobal: string;
  /** The binding that reports events to the server. */
  reportBinding: string;
  /** The server's public origin. */
  serverUrl: string;
  /** The client's project ID (the API key, or the application ID for Vonage JWT tokens). */
  projectId: string;
  sessionId: string;
  token: string;
  /** The stream name ('' for none). */
  name: string;
  width: number;
  height: number;
}

/** What the agent reports after it published. */
export interface AgentReport {
  type: 'sessionDisconnected' | 'streamDestroyed' | 'mediaStopped';
  reason: string;
}

/** The published stream and the render's connection. */
export interface AgentPublished {
  streamId: string;
  connectionId: string;
}

/** Joins and publishes; resolves once the stream is live. Runs in the page. */
export async function agentPublish(config: AgentConfig): Promise<AgentPublished> {
  const w = globalThis as PageGlobals;
  const client = w[config.clientGlobal];
  const report = w[config.reportBinding];
  const devices = w.navigator.mediaDevices;
  if (!devices?.getDisplayMedia) {
    throw new Error('the page is not a secure context, so its tab cannot be captured');
  }
  // The client asks for a screen; a render captures its own tab, which Chromium then grants at once
  // (--auto-accept-this-tab-capture).
  const getDisplayMedia = devices.getDisplayMedia.bind(devices);
  // Assigned to a property, not a variable, so no `__name` wrapper is added.
  devices.getDisplayMedia = (constraints: PageGlobals) =>
    getDisplayMedia({ ...constraints, preferCurrentTab: true, selfBrowserSurface: 'include' });
  const session = client.initSession(config.projectId, config.sessionId, {
    url: config.serverUrl,
    logLevel: 'warn',
  });
  w.__parleyRenderSession = session;
  session.on('sessionDisconnected', (event: PageGlobals) => {
    void report({ type: 'sessionDisconnected', reason: String(event.reason) } satisfies AgentReport);
  });
  await session.connect(config.token);
  const publisher = await session.publish({
    name: config.name,
    videoSource: 'screen',
    audioSource: true,
    resolution: `${config.width}x${config.height}`,
    frameRate: 30,
    fitMode: 'contain',
  });
  devices.getDisplayMedia = getDisplayMedia;
  publisher.on('streamDestroyed', (event: PageGlobals) => {
    void report({ type: 'streamDestroyed', reason: String(event.reason) } satisfies AgentReport);
  });
  publisher.on('mediaStopped', () => {
    void report({ type: 'mediaStopped', reason: 'the tab capture ended' } satisfies AgentReport);
  });
  return { streamId: publisher.streamId, connectionId: session.connection.connectionId };
}

/** Leaves the session (unpublishing), so the stream ends at once rather than at a timeout. Runs in the page. */
export function agentDisconnect(): void {
  const w = globalThis as PageGlobals;
  w.__parleyRenderSession?.disconnect();
}
