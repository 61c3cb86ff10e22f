// The one way the web app talks to Quire's REST API: same-origin fetch with
// the session cookie (the server's cross-origin protection checks the
// browser's Sec-Fetch-Site, so no token is needed), JSON in and out, and
// errors turned into ApiError carrying the API's stable code and message.

/** ApiError is a refused or failed API call. */
export class ApiError extends Error {
  /**
   * @param {number} status HTTP status (0 when the network failed)
   * @param {string} code the API's error code, e.g. "version_conflict"
   * @param {string} message a message fit to show the user
   * @param {any} body the decoded error body, if any
   */
  constructor(status, code, message, body) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.body = body;
  }

  /** offline reports whether the request never reached the server. */
  get offline() {
    return this.status === 0;
  }
}

/**
 * api calls the REST API and returns the decoded JSON body (null for 204).
 * @param {string} method
 * @param {string} path e.g. "/api/v1/notes"
 * @param {any} [body] sent as JSON when defined
 * @param {{signal?: AbortSignal, headers?: Record<string,string>, raw?: boolean, keepalive?: boolean}} [opts]
 *   raw returns the Response itself (for streams and downloads) once its
 *   status is known to be 2xx; keepalive lets the request outlive the page.
 */
export async function api(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json', ...(opts.headers || {}) };
  const init = { method, headers, credentials: 'same-origin', signal: opts.signal };
  if (opts.keepalive) init.keepalive = true;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'offline', 'Quire cannot be reached. Check your connection.', null);
  }
  if (res.ok) {
    if (opts.raw) return res;
    if (res.status === 204) return null;
    const text = await res.text();
    return text ? JSON.parse(text) : null;
  }
  let data = null;
  try {
    data = await res.json();
  } catch {
    // not JSON: fall through to a generic message
  }
  const detail = (data && data.error) || {};
  if (res.status === 401) {
    window.dispatchEvent(new CustomEvent('quire:signed-out'));
  }
  throw new ApiError(res.status, detail.code || 'http_' + res.status,
    detail.message || `The request failed (${res.status}).`, data);
}
