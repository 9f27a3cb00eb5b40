// The example's only script: fills the organization picker and the MFA page from the library's
// JSON routes (GET /auth/discovery/organizations, GET /auth/mfa). Everything is built with DOM
// APIs and textContent, never innerHTML, so names coming from Stytch cannot become markup.
// Form submissions stay plain HTML forms (the auth routes answer them with 303 redirects), except
// the admin and account forms marked `data-api` (see sendApiForm).
'use strict';

(function () {
  /** el('p', { class: 'muted' }, 'text', childNode) */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value !== undefined && value !== null && value !== false) node.setAttribute(key, String(value));
    }
    for (const child of children) {
      if (child === undefined || child === null || child === false) continue;
      node.append(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return node;
  }

  /** A plain HTML form posting to one of the auth routes. */
  function postForm(action, fields, button, testid) {
    const form = el('form', { method: 'post', action, 'data-testid': testid });
    for (const [name, value] of Object.entries(fields)) form.append(el('input', { type: 'hidden', name, value }));
    form.append(button);
    return form;
  }

  function codeForm(action, testid, label) {
    return el(
      'form',
      { method: 'post', action, 'data-testid': testid },
      el('label', {}, label, el('input', { name: 'code', required: true, inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: 6 })),
      el('button', { type: 'submit' }, 'Verify'),
    );
  }

  async function api(method, url, body) {
    const init = { method, headers: { accept: 'application/json' }, credentials: 'same-origin' };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(url, init);
    } catch {
      return { ok: false, status: 0, data: null };
    }
    let data = null;
    try {
      data = await res.json();
    } catch {
      data = null;
    }
    return { ok: res.ok, status: res.status, data };
  }

  // The server's message for every error code (views/messages.ts), handed over in the page.
  const MESSAGES = (function () {
    const node = document.getElementById('error-messages');
    try {
      return node ? JSON.parse(node.dataset.messages || '{}') : {};
    } catch {
      return {};
    }
  })();

  function errorCode(result) {
    return result.data && result.data.error ? result.data.error.code : result.status === 0 ? 'upstream_network' : 'http_' + result.status;
  }

  function messageFor(code) {
    return Object.prototype.hasOwnProperty.call(MESSAGES, code) ? MESSAGES[code] : 'Something went wrong. Please try again.';
  }

  function banner(code) {
    return el('p', { class: 'banner error', role: 'alert', 'data-testid': 'error-banner' }, messageFor(code) + ' ', el('code', { class: 'muted' }, code));
  }

  /**
   * The pending sign-in cannot go on: say why, once. When the page already shows a banner (the
   * redirect that brought us here carried the error), that one stands and only the way out is added.
   */
  function showProblem(container, result) {
    const code = errorCode(result);
    const shown = document.querySelector('[data-testid=error-banner]');
    container.replaceChildren(...(shown ? [] : [banner(code)]), el('p', {}, el('a', { href: '/login', 'data-testid': 'start-again' }, 'Start again')));
    container.removeAttribute('aria-busy');
  }

  // ---- Organization picker -------------------------------------------------------------------
  async function discovered(container) {
    const result = await api('GET', '/auth/discovery/organizations');
    if (!result.ok) return showProblem(container, result);
    const { emailAddress, organizations } = result.data;
    const items = organizations.map((org) => {
      const joining = org.membershipType.startsWith('eligible') || org.membershipType === 'invited_member';
      const button = el('button', { type: 'submit', 'data-testid': 'join-org', 'data-org': org.organizationName }, joining ? 'Join' : 'Continue');
      return el(
        'li',
        {},
        el(
          'div',
          {},
          el('strong', {}, org.organizationName),
          el('br', {}),
          el('span', { class: 'muted' }, org.membershipType.replaceAll('_', ' ') + (org.mfaRequired ? ' · two-step verification required' : '')),
        ),
        postForm('/auth/discovery/exchange', { organization_id: org.organizationId }, button, 'org'),
      );
    });
    container.replaceChildren(
      el('p', {}, 'Signed in as ', el('strong', {}, emailAddress), '. Choose where to go:'),
      items.length > 0 ? el('ul', { class: 'plain orgs' }, ...items) : el('p', { class: 'muted' }, 'You are not a member of any organization yet. Create one below.'),
    );
    container.removeAttribute('aria-busy');
    // Creating an organization needs the pending sign-in too: offer it only now that it is known to work.
    const create = document.getElementById('create-org');
    if (create) create.hidden = false;
  }

  /** Name the organization the pending sign-in is for (the header still shows the session's, if any). */
  async function nameOrganization(organizationId) {
    const target = document.getElementById('mfa-org');
    const result = await api('GET', '/auth/discovery/organizations');
    if (!target || !result.ok) return;
    const org = result.data.organizations.find((o) => o.organizationId === organizationId);
    if (!org) return;
    target.replaceChildren('Signing in to ', el('strong', { 'data-testid': 'mfa-org-name' }, org.organizationName));
    target.hidden = false;
    const header = document.querySelector('[data-testid=current-org]');
    if (header) header.textContent = org.organizationName + ' (signing in)';
  }

  // ---- Second factor -------------------------------------------------------------------------
  async function mfa(container) {
    const result = await api('GET', '/auth/mfa');
    if (!result.ok) return showProblem(container, result);
    const state = result.data;
    if (state.source === 'intermediate_session') void nameOrganization(state.organizationId);
    const parts = [];
    if (state.nextStep === 'enroll') {
      parts.push(el('p', {}, 'This organization requires two-step verification. Set up an authenticator app (Google Authenticator, 1Password, …).'));
      const start = el('button', { type: 'button', 'data-testid': 'totp-create' }, 'Set up an authenticator app');
      const enrolment = el('div', {});
      start.addEventListener('click', () => void enrolTotp(start, enrolment));
      parts.push(start, enrolment);
    } else if (state.nextStep === 'totp') {
      parts.push(codeForm('/auth/mfa/totp/authenticate', 'totp-form', 'Code from your authenticator app'));
    }
    if (state.sms.available) parts.push(smsSection(state));
    // Recovery codes come with a TOTP registration: offer them only to members who have one.
    const recovery = document.getElementById('recovery');
    if (recovery && state.totp.registered) recovery.hidden = false;
    container.replaceChildren(...parts);
    container.removeAttribute('aria-busy');
  }

  async function enrolTotp(button, target) {
    button.disabled = true;
    const result = await api('POST', '/auth/mfa/totp/create', {});
    if (!result.ok) {
      button.disabled = false;
      return showProblem(target, result);
    }
    const { secret, qrCode, recoveryCodes } = result.data;
    button.remove();
    target.replaceChildren(
      el('p', {}, '1. Scan this QR code with your authenticator app, or type the secret.'),
      el('img', { class: 'qr', src: qrCode, alt: 'QR code for your authenticator app', 'data-testid': 'totp-qr' }),
      el('p', {}, 'Secret: ', el('code', { class: 'secret', 'data-testid': 'totp-secret' }, secret)),
      el('p', {}, '2. Save these recovery codes somewhere safe. Each works once if you lose your device. ', el('strong', {}, 'They are shown only now.')),
      el('ul', { class: 'codes', 'data-testid': 'recovery-codes' }, ...recoveryCodes.map((code) => el('li', {}, code))),
      el('p', {}, '3. Enter the 6-digit code your app shows.'),
      enrolmentCodeForm(),
    );
  }

  /**
   * The first code after enrolment is checked with a JSON call, so a mistyped code keeps this
   * page (the same QR code, secret and recovery codes) and only says what was wrong.
   */
  function enrolmentCodeForm() {
    const form = codeForm('/auth/mfa/totp/authenticate', 'totp-form', 'Code from your authenticator app');
    const status = el('div', { 'aria-live': 'polite' });
    form.append(status);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const input = form.querySelector('input[name=code]');
      const button = form.querySelector('button');
      button.disabled = true;
      const result = await api('POST', '/auth/mfa/totp/authenticate', { code: input.value });
      button.disabled = false;
      if (result.ok && result.data && result.data.redirectTo) {
        location.assign(result.data.redirectTo);
        return;
      }
      status.replaceChildren(banner(errorCode(result)));
      input.select();
    });
    return form;
  }

  function smsSection(state) {
    const status = el('p', { class: 'muted', 'aria-live': 'polite' });
    const send = el('button', { type: 'button', class: state.nextStep === 'sms' ? '' : 'secondary', 'data-testid': 'sms-send' }, state.sms.codeSent ? 'Send a new code' : 'Text me a code');
    const markSent = (hint) => {
      status.replaceChildren(el('span', { 'data-testid': 'sms-sent' }, 'We sent a code to ' + hint + '. It is valid for 2 minutes.'));
    };
    if (state.sms.codeSent) markSent(state.sms.phoneHint);
    send.addEventListener('click', async () => {
      send.disabled = true;
      const result = await api('POST', '/auth/mfa/sms/send', {});
      send.disabled = false;
      if (result.ok) {
        markSent(result.data.phoneHint || state.sms.phoneHint);
        send.textContent = 'Send a new code';
      }
      else status.replaceChildren(banner(errorCode(result)));
    });
    return el(
      'div',
      { class: 'sms' },
      el('h2', {}, 'Text message'),
      el('p', {}, 'Phone ', el('code', {}, state.sms.phoneHint), ' '),
      send,
      status,
      codeForm('/auth/mfa/sms/authenticate', 'sms-form', 'Code from the text message'),
    );
  }

  // Live password feedback: Stytch's strength check through POST /auth/password/strength.
  function strengthFeedback(input) {
    const target = document.getElementById(input.getAttribute('data-strength'));
    if (!target) return;
    let timer;
    let latest = 0;
    input.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const ticket = ++latest;
        if (input.value === '') return void target.replaceChildren();
        const result = await api('POST', '/auth/password/strength', { password: input.value });
        if (ticket !== latest) return;
        if (!result.ok) return void target.replaceChildren();
        const s = result.data.strength;
        const verdict = s.validPassword ? 'Strong enough.' : s.breachedPassword ? 'This password appeared in a data breach.' : 'Too weak.';
        const parts = [el('strong', { 'data-testid': 'strength-verdict', 'data-valid': String(s.validPassword) }, verdict)];
        if (s.warning) parts.push(' ' + s.warning);
        for (const tip of s.suggestions) parts.push(' ' + tip);
        target.replaceChildren(...parts);
      }, 250);
    });
  }
  for (const input of document.querySelectorAll('input[data-strength]')) strengthFeedback(input);

  // Forms of the admin and account pages (`data-api`): sent to the library's admin routes as JSON,
  // in the method the route takes (`data-method`; an HTML form cannot send PUT, PATCH or DELETE).
  // Checkboxes and `data-list` inputs become arrays; disabled fields and return_to are not sent.
  // Then, as the routes do for a plain form post: back to return_to, with ?error=<code> on refusal.
  // `data-reveal="<id>"`: the answer's `recovery_codes` are shown in that element instead.
  function formBody(form) {
    const body = {};
    for (const field of form.elements) {
      if (!field.name || field.disabled || field.name === 'return_to') continue;
      if (field.hasAttribute('data-list')) {
        if (!Array.isArray(body[field.name])) body[field.name] = [];
        if (field.type === 'checkbox') {
          if (field.checked) body[field.name].push(field.value);
        } else {
          body[field.name].push(...field.value.split(',').map((v) => v.trim()).filter(Boolean));
        }
      } else if (field.value !== '') {
        body[field.name] = field.value;
      }
    }
    return body;
  }

  function backTo(form, params) {
    const target = new URL(form.elements.return_to ? form.elements.return_to.value : location.pathname, location.origin);
    if (target.origin !== location.origin) return location.pathname;
    if (params.error) target.search = '';
    for (const [key, value] of Object.entries(params)) target.searchParams.set(key, value);
    return target.pathname + target.search;
  }

  async function sendApiForm(form) {
    const body = formBody(form);
    const method = form.getAttribute('data-method') || 'POST';
    const button = form.querySelector('button[type=submit]');
    if (button) button.disabled = true;
    const result = await api(method, form.action, Object.keys(body).length > 0 || method !== 'DELETE' ? body : undefined);
    if (button) button.disabled = false;
    const reveal = form.getAttribute('data-reveal');
    if (result.ok && reveal) return void showCodes(document.getElementById(reveal), result.data.recovery_codes || []);
    location.assign(result.ok ? backTo(form, {}) : backTo(form, { error: errorCode(result) }));
  }

  function showCodes(target, codes) {
    if (!target) return;
    target.hidden = false;
    target.replaceChildren(
      el('p', { class: 'banner ok' }, 'Your recovery codes. Store them somewhere safe now: they are shown this once.'),
      el('ol', { class: 'codes', 'data-testid': 'recovery-code-list' }, ...codes.map((code) => el('li', {}, code))),
    );
  }

  for (const form of document.querySelectorAll('form[data-api]')) {
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void sendApiForm(form);
    });
  }

  const picker = document.getElementById('discovered');
  if (picker) void discovered(picker);
  const second = document.getElementById('mfa');
  if (second) void mfa(second);
})();
