// @ts-check
// REST client for /api/v1: bearer token from localStorage, `{data}` unwrapped,
// `{error: {code, message}}` raised as ApiError, 429 retried after `retry_after`.

export const TOKEN_KEY = "amityvox.token";

export class ApiError extends Error {
  constructor(status, code, message, extra = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

function defaultStorage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage disabled (private mode): the token lives in memory only
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class Api {
  /**
   * `base` is the server origin ("" for the page's own). `fetch` and `storage` can be
   * replaced (tests); `maxRetries` bounds 429 retries; `maxWait` is the longest wait (seconds) sat out before a retry.
   */
  constructor({ base = "", fetch = globalThis.fetch?.bind(globalThis), storage = defaultStorage(), maxRetries = 2, maxWait = 10 } = {}) {
    this.base = base.replace(/\/$/, "");
    this.fetch = fetch;
    this.storage = storage;
    this.maxRetries = maxRetries;
    this.maxWait = maxWait;
    this.memoryToken = null;
    this.onUnauthorized = null; // called on 401 invalid_token so the app can return to login
  }

  get token() {
    return this.storage?.getItem(TOKEN_KEY) ?? this.memoryToken;
  }

  set token(value) {
    this.memoryToken = value;
    if (!this.storage) return;
    if (value) this.storage.setItem(TOKEN_KEY, value);
    else this.storage.removeItem(TOKEN_KEY);
  }

  /**
   * One request; resolves with `data` (null for 204), rejects with ApiError.
   * `reason` becomes the audit log entry's reason (the X-Audit-Log-Reason header).
   * @param {string} method
   * @param {string} path
   * @param {{body?: any, query?: Record<string, unknown>, auth?: boolean, reason?: string}} [options]
   * @returns {Promise<any>}
   */
  async request(method, path, { body, query, auth = true, reason } = {}) {
    let url = `${this.base}/api/v1${path}`;
    if (query) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v != null) params.set(k, String(v));
      const qs = params.toString();
      if (qs) url += `?${qs}`;
    }
    const headers = { Accept: "application/json" };
    const multipart = typeof FormData !== "undefined" && body instanceof FormData; // the browser writes its boundary
    if (body !== undefined && !multipart) headers["Content-Type"] = "application/json";
    const token = this.token;
    if (auth && token) headers.Authorization = `Bearer ${token}`;
    if (reason) headers["X-Audit-Log-Reason"] = encodeURIComponent(reason);
    for (let attempt = 0; ; attempt++) {
      let response;
      try {
        response = await this.fetch(url, {
          method,
          headers,
          body: body === undefined || multipart ? body : JSON.stringify(body),
        });
      } catch (err) {
        throw new ApiError(0, "network_error", `the server cannot be reached (${err.message})`);
      }
      if (response.status === 204) return null;
      let payload = null;
      const text = await response.text();
      if (text) {
        try {
          payload = JSON.parse(text);
        } catch {
          payload = null;
        }
      }
      if (response.ok) return payload?.data ?? null;
      const error = payload?.error ?? {};
      const { code = `http_${response.status}`, message = response.statusText || "request failed", ...extra } = error;
      if (response.status === 429 && attempt < this.maxRetries) {
        const header = Number(response.headers?.get?.("Retry-After"));
        const wait = Number(extra.retry_after ?? (Number.isFinite(header) ? header : 1));
        // A longer wait (one data export a day) is for the user to hear about, not to sit out.
        if (wait <= this.maxWait) {
          await sleep(Math.max(wait, 0) * 1000);
          continue;
        }
      }
      if (response.status === 401 && auth && this.onUnauthorized) this.onUnauthorized();
      throw new ApiError(response.status, code, message, extra);
    }
  }

  get(path, query) {
    return this.request("GET", path, { query });
  }

  post(path, body) {
    return this.request("POST", path, { body: body ?? {} });
  }

  put(path, body) {
    return this.request("PUT", path, { body });
  }

  patch(path, body) {
    return this.request("PATCH", path, { body });
  }

  delete(path, body) {
    return this.request("DELETE", path, { body });
  }

  /**
   * GET a file that needs the token (a data export): its bytes and the name the server gives it.
   * @param {string} path
   * @returns {Promise<{blob: Blob, filename: string}>}
   */
  async download(path) {
    /** @type {Record<string, string>} */
    const headers = {};
    const token = this.token;
    if (token) headers.Authorization = `Bearer ${token}`;
    let response;
    try {
      response = await this.fetch(`${this.base}/api/v1${path}`, { headers });
    } catch (err) {
      throw new ApiError(0, "network_error", `the server cannot be reached (${err.message})`);
    }
    if (!response.ok) {
      let error = {};
      try {
        error = (await response.json())?.error ?? {};
      } catch {
        // not JSON: the status says enough
      }
      const { code = `http_${response.status}`, message = response.statusText || "download failed", ...extra } = error;
      throw new ApiError(response.status, code, message, extra);
    }
    const disposition = response.headers.get("Content-Disposition") ?? "";
    const filename = disposition.match(/filename="([^"]+)"/)?.[1] ?? "download";
    return { blob: await response.blob(), filename };
  }

  /** POST a multipart form, such as a file with its `kind` to /files/upload. */
  upload(path, form) {
    return this.request("POST", path, { body: form });
  }

  // ---- the calls the UI makes ------------------------------------------------------------------

  /** `invite`: a guild invite's code, which an invite-only server requires to sign up. */
  async register(username, password, email, invite = null) {
    const body = { username, password };
    if (email) body.email = email;
    if (invite) body.invite = invite;
    const out = await this.request("POST", "/auth/register", { body, auth: false });
    this.token = out.token;
    return out;
  }

  /** `{user, token}`, or with two-factor on `{mfa_required, ticket}` for `loginTotp`. */
  async login(username, password) {
    const body = username.includes("@") ? { email: username, password } : { username, password };
    const out = await this.request("POST", "/auth/login", { body, auth: false });
    if (out.token) this.token = out.token;
    return out;
  }

  /** The second step of a two-factor login: the ticket and a TOTP or backup code. */
  async loginTotp(ticket, code) {
    const out = await this.request("POST", "/auth/login/totp", { body: { ticket, code }, auth: false });
    this.token = out.token;
    return out;
  }

  /** Sign in with a passkey: the assertion answering POST /auth/passkey/options → `{user, token}`. */
  async loginPasskey(credential) {
    const out = await this.request("POST", "/auth/passkey", { body: { credential }, auth: false });
    this.token = out.token;
    return out;
  }

  async logout() {
    try {
      await this.request("POST", "/auth/logout", { body: {} });
    } finally {
      this.token = null;
    }
  }

  gatewayUrl() {
    return this.request("GET", "/gateway", { auth: false }).then((d) => d.url);
  }

  catalog() {
    return this.request("GET", "/gateway/catalog", { auth: false });
  }
}

/** The invite code from a pasted code or link (…/invite/CODE, …/invites/CODE, ?invite=CODE). */
export function inviteCode(text) {
  const raw = String(text ?? "").trim();
  if (!raw) return "";
  try {
    const url = new URL(raw);
    const param = url.searchParams.get("invite");
    if (param) return param;
    const parts = url.pathname.split("/").filter(Boolean);
    return parts[parts.length - 1] ?? "";
  } catch {
    return raw.split("/").filter(Boolean).pop() ?? "";
  }
}

export const enc = encodeURIComponent;
