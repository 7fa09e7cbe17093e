import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generatePassword, hashPassword, verifyPassword } from './password.ts';

describe('password hashing', () => {
  it('stores scrypt with its parameters, salt and key, and never the password', async () => {
    const stored = await hashPassword('correct horse battery staple');
    assert.match(stored, /^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    assert.ok(!stored.includes('correct horse'));
  });

  it('accepts the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery staple');
    assert.equal(await verifyPassword('correct horse battery staple', stored), true);
    assert.equal(await verifyPassword('correct horse battery stapler', stored), false);
    assert.equal(await verifyPassword('', stored), false);
  });

  it('salts every hash, so one password gives two different hashes that both verify', async () => {
    const [first, second] = await Promise.all([
      hashPassword('same password!'),
      hashPassword('same password!'),
    ]);
    assert.notEqual(first, second);
    assert.equal(await verifyPassword('same password!', first), true);
    assert.equal(await verifyPassword('same password!', second), true);
  });

  it('refuses, without throwing, a stored value that is not a scrypt hash', async () => {
    for (const stored of ['', 'plain-text', 'bcrypt$10$abc$def$ghi$jkl', 'scrypt$16384$8$1$salt']) {
      assert.equal(await verifyPassword('anything', stored), false, stored);
    }
  });

  it('refuses the password when a stored parameter was tampered with', async () => {
    const stored = await hashPassword('correct horse battery staple');
    const tampered = stored.replace('$8$1$', '$8$2$');
    assert.equal(await verifyPassword('correct horse battery staple', tampered), false);
  });
});

describe('generatePassword', () => {
  it('makes a 24-character base64url password, long enough for an Admin, different every time', () => {
    const passwords = new Set(Array.from({ length: 20 }, () => generatePassword()));
    assert.equal(passwords.size, 20);
    for (const password of passwords) assert.match(password, /^[A-Za-z0-9_-]{24}$/);
  });
});
