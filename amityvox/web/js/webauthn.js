// @ts-check
// Passkeys through navigator.credentials: the server sends WebAuthn options in their JSON form
// (binary fields as base64url) and takes the browser's answer back in the same form
// (docs/accounts.md). Browsers offer this only in a secure context: https, or localhost.

/** @param {string} text base64url without padding @returns {ArrayBuffer} */
function fromB64u(text) {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  const raw = atob(b64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out.buffer;
}

/** @param {ArrayBuffer} buf @returns {string} base64url without padding */
function toB64u(buf) {
  let raw = "";
  for (const byte of new Uint8Array(buf)) raw += String.fromCharCode(byte);
  return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * @typedef {{id: string, type?: string, transports?: string[]}} DescriptorJSON
 * @typedef {{challenge: string, rp: {id?: string, name: string}, user: {id: string, name: string, displayName: string},
 *   pubKeyCredParams: {type: string, alg: number}[], timeout?: number, excludeCredentials?: DescriptorJSON[],
 *   authenticatorSelection?: Record<string, unknown>, attestation?: string}} CreationOptionsJSON
 * @typedef {{challenge: string, rpId?: string, timeout?: number, allowCredentials?: DescriptorJSON[],
 *   userVerification?: string}} RequestOptionsJSON
 */

/** @param {DescriptorJSON[] | undefined} list @returns {PublicKeyCredentialDescriptor[]} */
function descriptors(list) {
  return (list ?? []).map((d) => ({
    type: "public-key",
    id: fromB64u(d.id),
    ...(d.transports ? { transports: /** @type {AuthenticatorTransport[]} */ (d.transports) } : {}),
  }));
}

/** Whether this page can use passkeys at all (a browser with WebAuthn, in a secure context). */
export function passkeysAvailable() {
  return typeof window !== "undefined" && window.isSecureContext && !!window.PublicKeyCredential && !!navigator.credentials;
}

/**
 * Ask the authenticator for a new passkey; the answer in the JSON form POST /users/@me/passkeys takes.
 * @param {CreationOptionsJSON} options
 * @returns {Promise<Record<string, unknown>>}
 */
export async function createPasskey(options) {
  /** @type {PublicKeyCredentialCreationOptions} */
  const publicKey = {
    challenge: fromB64u(options.challenge),
    rp: options.rp,
    user: { id: fromB64u(options.user.id), name: options.user.name, displayName: options.user.displayName },
    pubKeyCredParams: options.pubKeyCredParams.map((p) => ({ type: "public-key", alg: p.alg })),
    timeout: options.timeout,
    excludeCredentials: descriptors(options.excludeCredentials),
    authenticatorSelection: /** @type {AuthenticatorSelectionCriteria} */ (options.authenticatorSelection),
    attestation: /** @type {AttestationConveyancePreference} */ (options.attestation ?? "none"),
  };
  const cred = /** @type {PublicKeyCredential | null} */ (await navigator.credentials.create({ publicKey }));
  if (!cred) throw new Error("No passkey was created.");
  const response = /** @type {AuthenticatorAttestationResponse} */ (cred.response);
  return credentialJSON(cred, {
    attestationObject: toB64u(response.attestationObject),
    transports: typeof response.getTransports === "function" ? response.getTransports() : [],
  });
}

/**
 * Ask the authenticator to sign the server's challenge with one of its passkeys for this site;
 * the answer in the JSON form POST /auth/passkey takes.
 * @param {RequestOptionsJSON} options
 * @returns {Promise<Record<string, unknown>>}
 */
export async function getPasskey(options) {
  /** @type {PublicKeyCredentialRequestOptions} */
  const publicKey = {
    challenge: fromB64u(options.challenge),
    rpId: options.rpId,
    timeout: options.timeout,
    allowCredentials: descriptors(options.allowCredentials),
    userVerification: /** @type {UserVerificationRequirement} */ (options.userVerification ?? "required"),
  };
  const cred = /** @type {PublicKeyCredential | null} */ (await navigator.credentials.get({ publicKey }));
  if (!cred) throw new Error("No passkey was chosen.");
  const response = /** @type {AuthenticatorAssertionResponse} */ (cred.response);
  return credentialJSON(cred, {
    authenticatorData: toB64u(response.authenticatorData),
    signature: toB64u(response.signature),
    userHandle: response.userHandle ? toB64u(response.userHandle) : null,
  });
}

/**
 * A credential in the JSON form the server reads: what every answer has, plus its own `fields`.
 * @param {PublicKeyCredential} cred
 * @param {Record<string, unknown>} fields
 * @returns {Record<string, unknown>}
 */
function credentialJSON(cred, fields) {
  return {
    id: cred.id,
    rawId: toB64u(cred.rawId),
    type: cred.type,
    response: { clientDataJSON: toB64u(cred.response.clientDataJSON), ...fields },
    clientExtensionResults: cred.getClientExtensionResults(),
  };
}
