/** Small DOM helpers: elements by ID (failing loudly when the HTML and the script disagree) and builders. */

/** The element with `id`, of the expected type. */
export function byId<T extends HTMLElement>(id: string, type: { new (): T }): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`The page has no <${type.name}> #${id}`);
  return element;
}

/** Creates an element with a class, text and attributes. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: { className?: string; text?: string; attrs?: Record<string, string> } = {},
  ...children: Node[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (options.className) element.className = options.className;
  if (options.text !== undefined) element.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs ?? {})) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/** A button that runs `action` on click, disabled while the action's promise is pending. */
export function actionButton(
  label: string,
  accessibleName: string,
  action: () => Promise<void>,
): HTMLButtonElement {
  const button = el('button', { text: label, attrs: { type: 'button', 'aria-label': accessibleName } });
  button.addEventListener('click', () => {
    button.disabled = true;
    action().finally(() => {
      button.disabled = false;
    });
  });
  return button;
}
