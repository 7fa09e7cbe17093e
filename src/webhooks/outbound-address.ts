// Where a webhook may be delivered. An endpoint's URL is an organization Admin's input, and Roster
// sends requests from inside the installation's network: without a check, a webhook could reach the
// database, an internal admin page or the cloud's metadata service (server-side request forgery).
// The host is resolved here and the connection made to the address that was checked, so a name that
// answers a public address to the check and a private one to the connection (DNS rebinding) gets
// nowhere.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const REFUSED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private (RFC 1918)
  ['100.64.0.0', 10], // carrier-grade NAT (RFC 6598)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, with the clouds' metadata service at 169.254.169.254
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  REFUSED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64: an IPv4 address in disguise
  ['fc00::', 7], // unique local, with AWS's metadata service at fd00:ec2::254
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  REFUSED.addSubnet(network, prefix, 'ipv6');
}

/** Whether Roster may connect to `address` (an IP) without the private-network allowance. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 6) {
    // An IPv4-mapped address (::ffff:10.0.0.1) is checked as the IPv4 address it is.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped?.[1]) return !REFUSED.check(mapped[1], 'ipv4');
    return !REFUSED.check(address, 'ipv6');
  }
  return !REFUSED.check(address, 'ipv4');
}

export class OutboundRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundRefusal';
  }
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address of a name (the system's resolver: /etc/hosts, then DNS). */
export type HostLookup = (host: string) => Promise<{ address: string; family: number }[]>;

const systemLookup: HostLookup = (host) => lookup(host, { all: true, verbatim: true });

/**
 * The address to connect to for `host`: every address the name has must be allowed (one private
 * answer among public ones is refused, so a resolver's order cannot matter).
 */
export async function resolveOutbound(
  host: string,
  allowPrivate: boolean,
  resolve: HostLookup = systemLookup,
): Promise<ResolvedAddress> {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const addresses =
    isIP(bare) !== 0
      ? [{ address: bare, family: isIP(bare) as 4 | 6 }]
      : await resolve(bare).catch(() => {
          throw new OutboundRefusal(`${host} does not resolve`);
        });
  const first = addresses[0];
  if (!first) throw new OutboundRefusal(`${host} does not resolve`);
  if (!allowPrivate) {
    const refused = addresses.find((entry) => !isPublicAddress(entry.address));
    if (refused) {
      throw new OutboundRefusal(
        `${host} resolves to ${refused.address}, a loopback, private, link-local or metadata address; set WEBHOOK_ALLOW_PRIVATE_NETWORKS=true to allow it`,
      );
    }
  }
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}
