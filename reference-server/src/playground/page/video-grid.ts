/** The grid of video tiles: the local camera and screen, and one tile per subscribed stream. */
import { byId, el } from './dom.js';
import { initials } from './names.js';

/** What a tile shows. */
export interface TileInfo {
  /** Unique per tile (the stream ID, or `local-camera` / `local-screen`). */
  key: string;
  name: string;
  local: boolean;
  screen: boolean;
  media: MediaStream | null;
  hasAudio: boolean;
  hasVideo: boolean;
}

/** Renders and updates the tiles. */
export class VideoGrid {
  readonly #list = byId('videos', HTMLUListElement);
  readonly #empty = byId('no-videos', HTMLParagraphElement);
  readonly #tiles = new Map<string, HTMLLIElement>();

  /** Adds the tile or updates it in place (the `<video>` keeps playing). */
  upsert(info: TileInfo): void {
    let item = this.#tiles.get(info.key);
    if (!item) {
      item = el('li', { attrs: { 'data-key': info.key } });
      this.#tiles.set(info.key, item);
      this.#list.append(item);
    }
    const label = `${info.name}${info.local ? ' (you)' : ''}${info.screen ? ': screen' : ''}`;
    let figure = item.querySelector('figure');
    let video = item.querySelector('video');
    if (!figure || !video) {
      // Local previews are muted (no echo); remote tiles play their audio.
      video = el('video', { attrs: { autoplay: '', playsinline: '' } });
      video.muted = info.local;
      figure = el('figure', { className: 'tile' }, video, el('figcaption'));
      item.append(figure);
    }
    figure.classList.toggle('local', info.local);
    figure.classList.toggle('screen', info.screen);
    figure.setAttribute('aria-label', label);
    if (info.media && video.srcObject !== info.media) {
      video.srcObject = info.media;
      this.#play(video, figure);
    }
    figure.querySelector('.no-video')?.remove();
    if (!info.hasVideo)
      figure.append(
        el('div', { className: 'no-video', text: initials(info.name), attrs: { 'aria-hidden': 'true' } }),
      );
    const caption = figure.querySelector('figcaption') as HTMLElement;
    caption.replaceChildren(el('span', { className: 'name', text: label }));
    if (!info.hasAudio) caption.append(el('span', { className: 'badge', text: 'muted' }));
    if (!info.hasVideo) caption.append(el('span', { className: 'badge', text: 'camera off' }));
    this.#empty.hidden = this.#tiles.size > 0;
  }

  /** Removes a tile. */
  remove(key: string): void {
    const item = this.#tiles.get(key);
    if (!item) return;
    const video = item.querySelector('video');
    if (video) video.srcObject = null;
    item.remove();
    this.#tiles.delete(key);
    this.#empty.hidden = this.#tiles.size > 0;
  }

  /** Removes every tile. */
  clear(): void {
    for (const key of [...this.#tiles.keys()]) this.remove(key);
  }

  /** Starts playback; a browser that refuses audible autoplay gets a button to start it by hand. */
  #play(video: HTMLVideoElement, figure: HTMLElement): void {
    video.play().catch(() => {
      if (figure.querySelector('.play-audio')) return;
      const button = el('button', { className: 'play-audio', text: 'Play', attrs: { type: 'button' } });
      button.addEventListener('click', () => {
        video.play().then(
          () => button.remove(),
          () => {},
        );
      });
      figure.append(button);
    });
  }
}
