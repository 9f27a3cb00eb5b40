/**
 * A tiny HTML template tag with escaping by default.
 *
 * Every interpolated value is escaped unless it is already {@link SafeHtml} (the result of another
 * `html` template). Arrays are joined, `null`/`undefined`/`false` render as nothing. There is no
 * other way to produce SafeHtml from a string, so untrusted text (member names, organization
 * names, document titles, query parameters) can never become markup by accident.
 */

/** Markup that is already escaped. Only {@link html} creates it. */
export class SafeHtml {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  toString(): string {
    return this.#value;
  }
}

/** What may be interpolated into a template. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escapes text for use in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (ch) => ESCAPES[ch] ?? ch);
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return value.map((item: HtmlValue) => render(item)).join('');
  return escapeHtml(String(value));
}

/**
 * Template tag: `html\`<p>${name}</p>\`` escapes `name`.
 *
 * @example
 * const item = (doc: { title: string }) => html`<li>${doc.title}</li>`;
 * html`<ul>${docs.map(item)}</ul>`;
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) {
    out += render(values[i]) + (strings[i + 1] ?? '');
  }
  return new SafeHtml(out);
}
