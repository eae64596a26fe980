/** Random secrets and their stored form, shared by sessions and API tokens. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, URL-safe: too many to guess, fit for a cookie or a header. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 suffices (no argon2): the secrets are random, so there is nothing to brute-force from a dictionary. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Compares two hex hashes in constant time. */
export function sameHash(left: string, right: string): boolean {
  const a = Buffer.from(left, 'hex');
  const b = Buffer.from(right, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
