// A few DOM helpers: the pages are plain TypeScript over the DOM.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | EventListener | null | undefined>;

/** `h('button', { type: 'button', onclick }, 'Claim')` */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2), v as EventListener);
    } else if (v === true) {
      el.setAttribute(k, '');
    } else {
      el.setAttribute(k, String(v));
    }
  }
  for (const c of children.flat()) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

/**
 * Replaces the children of the element with id `id`. Focus inside it
 * survives the redraw (live updates redraw often): it moves to the new
 * control with the same accessible name.
 */
export function fill(id: string, ...children: (Child | Child[])[]): HTMLElement {
  const el = byId(id);
  const focused = document.activeElement;
  const name = focused && el.contains(focused) ? (focused.getAttribute('aria-label') ?? focused.textContent) : null;
  el.replaceChildren(...children.flat().filter((c): c is Node | string => c != null && c !== false).map((c) => (c instanceof Node ? c : String(c))));
  if (name) {
    const again = [...el.querySelectorAll<HTMLElement>('button, a, input, select')].find((x) => (x.getAttribute('aria-label') ?? x.textContent) === name);
    again?.focus();
  }
  return el;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el as T;
}

/** The value of the form control named `name` in `form`. */
export function field(form: HTMLFormElement, name: string): string {
  const el = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
  if (!el) throw new Error(`no field ${name}`);
  return el.value;
}

/** A labelled input. */
export function input(label: string, name: string, attrs: Attrs = {}): HTMLElement {
  const id = `f-${name}-${Math.random().toString(36).slice(2, 7)}`;
  return h('div', { class: 'field' }, h('label', { for: id }, label), h('input', { id, name, ...attrs }));
}

/** A labelled select. */
export function select(label: string, name: string, options: [string, string][], attrs: Attrs = {}): HTMLElement {
  const id = `f-${name}-${Math.random().toString(36).slice(2, 7)}`;
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h('select', { id, name, ...attrs }, options.map(([v, t]) => h('option', { value: v }, t))),
  );
}

/** A table with a caption and column headers; `rows` are arrays of cells. */
export function table(caption: string, head: string[], rows: Child[][], empty: string): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h(
    'div',
    { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': caption },
    h(
      'table',
      {},
      h('caption', { class: 'sr-only' }, caption),
      h('thead', {}, h('tr', {}, head.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))),
    ),
  );
}

/** Fills `#id` with a row of toggle buttons, the one of `pressed` pressed; a click presses it and calls `pick`. */
export function toggles<T extends string>(id: string, options: [T, string][], pressed: T, pick: (value: T) => void): void {
  const group = byId(id);
  group.replaceChildren(
    ...options.map(([value, label]) => {
      const b = h('button', { type: 'button', 'aria-pressed': value === pressed ? 'true' : 'false' }, label);
      b.addEventListener('click', () => {
        group.querySelectorAll('button').forEach((x) => x.setAttribute('aria-pressed', x === b ? 'true' : 'false'));
        pick(value);
      });
      return b;
    }),
  );
}
