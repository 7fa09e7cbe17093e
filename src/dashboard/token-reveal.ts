// "Generate token" with post/redirect/get. The POST mints the token and answers 303; the GET it
// leads to shows the value, once. Between the two the value waits in `token_reveals`, sealed
// (AES-256-GCM) with a key derived from the session cookie, which Roster never stores (only its
// hash): the database alone cannot read it, and only the browser that made it can see it. Each
// form carries a nonce, claimed by the POST: the same form sent again (a reload of the POST, a
// double click) mints nothing and leads to the list.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { SESSION_TTL_MS } from '../sign-in/sessions.ts';
import type { Store } from '../store/store.ts';
import { sessionCookieOf } from '../web/session.ts';
import type { Viewer } from './context.ts';

/** How long the value waits for its page. */
export const REVEAL_TTL_MS = 5 * 60 * 1000;
const NONCE = /^[A-Za-z0-9_-]{22}$/;

export function newFormNonce(): string {
  return randomBytes(16).toString('base64url');
}

export function isFormNonce(value: string): boolean {
  return NONCE.test(value);
}

function keyOf(cookie: string): Buffer {
  return createHmac('sha256', cookie).update('roster: new token shown once').digest();
}

function seal(cookie: string, value: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(cookie), iv);
  const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

function open(cookie: string, sealed: string): string | undefined {
  const bytes = Buffer.from(sealed, 'base64url');
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyOf(cookie), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

/** Claims the form's nonce for the session; false when this form was already sent. */
export async function claimForm(store: Store, viewer: Viewer, nonce: string): Promise<boolean> {
  const at = new Date();
  return store.tokenReveals.claim(
    viewer.session.id_hash,
    nonce,
    at.toISOString(),
    new Date(Math.max(Date.parse(viewer.session.expires_at), at.getTime() + SESSION_TTL_MS)).toISOString(),
  );
}

export function releaseForm(store: Store, viewer: Viewer, nonce: string): Promise<void> {
  return store.tokenReveals.release(viewer.session.id_hash, nonce);
}

/** Keeps a new token's value for the page the POST redirects to. */
export async function holdForReveal(
  store: Store,
  request: FastifyRequest,
  viewer: Viewer,
  nonce: string,
  token: { id: string; value: string },
): Promise<void> {
  const cookie = sessionCookieOf(request) ?? '';
  await store.tokenReveals.attach(viewer.session.id_hash, nonce, token.id, seal(cookie, token.value));
}

/** The new token's value, the first time this session asks within REVEAL_TTL_MS; else undefined. */
export async function takeReveal(
  store: Store,
  request: FastifyRequest,
  viewer: Viewer,
  tokenId: string,
): Promise<string | undefined> {
  const notBefore = new Date(Date.now() - REVEAL_TTL_MS).toISOString();
  const sealed = await store.transaction((tx) =>
    tx.tokenReveals.take(viewer.session.id_hash, tokenId, notBefore),
  );
  const cookie = sessionCookieOf(request);
  return sealed && cookie ? open(cookie, sealed) : undefined;
}
