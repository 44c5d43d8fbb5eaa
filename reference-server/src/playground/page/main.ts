/**
 * The playground page: the join form, then the call. Tokens come from the playground's join endpoint on
 * this server (development only); everything else is the Parley client SDK.
 */
import { join } from './api.js';
import { ArchiveList } from './archives.js';
import { Call } from './call.js';
import { Chat } from './chat.js';
import { byId } from './dom.js';
import { describeError } from './messages.js';
import { RecordingControl } from './recording.js';

const joinSection = byId('join', HTMLElement);
const callSection = byId('call', HTMLElement);
const form = byId('join-form', HTMLFormElement);
const nameInput = byId('name', HTMLInputElement);
const roleSelect = byId('role', HTMLSelectElement);
const sessionInput = byId('session-id', HTMLInputElement);
const mediaModeSelect = byId('media-mode', HTMLSelectElement);
const joinButton = byId('join-button', HTMLButtonElement);
const statusLine = byId('status', HTMLParagraphElement);
const errorLine = byId('error', HTMLParagraphElement);
const sessionLabel = byId('session-label', HTMLElement);
const callTitle = byId('call-title', HTMLHeadingElement);

function showStatus(text: string): void {
  statusLine.textContent = text;
}

function showError(error: unknown): void {
  errorLine.textContent = describeError(error);
  errorLine.hidden = false;
}

function clearError(): void {
  errorLine.hidden = true;
  errorLine.textContent = '';
}

const archives = new ArchiveList((archive) => {
  if (archive.status === 'available') showStatus('The recording is ready: download it under Recordings.');
  else if (archive.status === 'failed')
    showStatus(`The recording failed: ${archive.reason || 'no reason given'}.`);
});
const chat = new Chat(showError);
const recording = new RecordingControl({ status: showStatus, error: showError });
const call = new Call(
  {
    status: showStatus,
    error: showError,
    ended(message) {
      callSection.hidden = true;
      joinSection.hidden = false;
      joinButton.disabled = false;
      archives.show(null);
      showStatus(message);
      joinButton.focus();
    },
  },
  chat,
  archives,
  recording,
);

const sessionFromUrl = new URL(location.href).searchParams.get('session');
if (sessionFromUrl) sessionInput.value = sessionFromUrl;
mediaModeSelect.disabled = sessionInput.value.trim() !== '';
sessionInput.addEventListener('input', () => {
  mediaModeSelect.disabled = sessionInput.value.trim() !== '';
});

form.addEventListener('submit', (event) => {
  event.preventDefault();
  clearError();
  const name = nameInput.value.trim();
  if (name === '') {
    showError(new Error('Enter a display name: the others see it next to your video and messages.'));
    nameInput.setAttribute('aria-invalid', 'true');
    nameInput.focus();
    return;
  }
  nameInput.removeAttribute('aria-invalid');
  void start(name);
});

async function start(name: string): Promise<void> {
  joinButton.disabled = true;
  showStatus('Joining…');
  try {
    const grant = await join({
      name,
      role: roleSelect.value,
      sessionId: sessionInput.value.trim() || null,
      mediaMode: mediaModeSelect.value,
    });
    sessionInput.value = grant.sessionId;
    mediaModeSelect.disabled = true;
    const url = new URL(location.href);
    url.searchParams.set('session', grant.sessionId);
    history.replaceState(null, '', url);
    sessionLabel.textContent = grant.sessionId;
    callTitle.textContent = `In a call as ${name} (${grant.role})`;
    joinSection.hidden = true;
    callSection.hidden = false;
    callTitle.focus();
    await call.start(grant, name);
  } catch (error) {
    showError(error);
    showStatus('');
    call.leave();
    callSection.hidden = true;
    joinSection.hidden = false;
    joinButton.disabled = false;
  }
}

byId('leave', HTMLButtonElement).addEventListener('click', () => call.leave());

byId('copy-link', HTMLButtonElement).addEventListener('click', () => {
  const link = `${location.origin}/playground?session=${encodeURIComponent(sessionLabel.textContent ?? '')}`;
  navigator.clipboard.writeText(link).then(
    () => showStatus('Invite link copied: open it in another tab or browser to join this call.'),
    () => showStatus(`Invite link: ${link}`),
  );
});
