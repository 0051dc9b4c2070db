/** Small DOM helpers: elements built from data (never innerHTML, so document text cannot inject markup). */

type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string | boolean | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  append(element, children);
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number | undefined> = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) element.setAttribute(name, String(value));
  append(element, children);
  return element;
}

function setAttributes(element: Element, attributes: Record<string, string | boolean | undefined>): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    // Through the CSSOM: the page's CSP (style-src 'self') refuses style attributes.
    if (name === 'style' && element instanceof HTMLElement) element.style.cssText = String(value);
    else element.setAttribute(name, value === true ? '' : value);
  }
}

function append(element: Element, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element as T;
}

export function clear(element: Element): void {
  element.replaceChildren();
}

/** Shows an API error as "CODE: message" in a role=alert box; undefined hides the box. */
export function showError(box: HTMLElement, error: { code: string; message: string } | undefined): void {
  clear(box);
  box.hidden = error === undefined;
  if (error) box.append(h('code', {}, error.code), `: ${error.message}`);
}

export const percent = (value: number): string => `${(value * 100).toFixed(1)} %`;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
