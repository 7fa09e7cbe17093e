import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPublicAddress, OutboundRefusal, resolveOutbound } from './outbound-address.ts';

describe('isPublicAddress', () => {
  const refused = [
    '127.0.0.1',
    '127.1.2.3',
    '10.0.0.1',
    '172.16.5.4',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00:ec2::254',
    'fc00::1',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
    '64:ff9b::a00:1',
  ];
  for (const address of refused) {
    it(`refuses ${address}`, () => assert.equal(isPublicAddress(address), false));
  }
  for (const address of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
    it(`allows ${address}`, () => assert.equal(isPublicAddress(address), true));
  }
  it('refuses what is not an address', () => assert.equal(isPublicAddress('example.com'), false));
});

describe('resolveOutbound', () => {
  it('refuses a name that resolves to a loopback address, naming the setting that allows it', async () => {
    await assert.rejects(resolveOutbound('localhost', false), (error: unknown) => {
      assert.ok(error instanceof OutboundRefusal);
      assert.match(
        error.message,
        /localhost resolves to (127\.0\.0\.1|::1).*WEBHOOK_ALLOW_PRIVATE_NETWORKS=true/,
      );
      return true;
    });
  });

  it('refuses private and metadata literals, bracketed IPv6 included', async () => {
    for (const host of ['10.1.2.3', '169.254.169.254', '[::1]', '[fd00:ec2::254]']) {
      await assert.rejects(resolveOutbound(host, false), OutboundRefusal, host);
    }
  });

  it('gives the checked address to connect to, and allows private ones when told to', async () => {
    assert.deepEqual(await resolveOutbound('127.0.0.1', true), { address: '127.0.0.1', family: 4 });
    assert.deepEqual(await resolveOutbound('8.8.8.8', false), { address: '8.8.8.8', family: 4 });
    assert.deepEqual(await resolveOutbound('[::1]', true), { address: '::1', family: 6 });
  });

  it('refuses a name that does not resolve', async () => {
    await assert.rejects(resolveOutbound('no-such-host.invalid', true), /does not resolve/);
  });
});
