// Record ids are UUIDs of version 7 (RFC 9562): a millisecond timestamp, then random bits. New rows
// then sit next to each other in every index keyed by an id (primary keys, `memberships.user_id`,
// the member emails, the audit log's target), so a transaction that creates members dirties a few
// shared index pages instead of one random page per index and member. Version 4 ids had every
// create write about 15 scattered pages; a group commit of creates cost half as much with these
// (docs/benchmarks.md, the fourth round). Ids are opaque to clients and never secrets: tokens and
// session cookies are random values of their own.
//
// The random part is Node's own `randomUUID()` (version 4: 122 random bits, drawn from a buffered
// pool) with its first 48 bits replaced by the time and its version digit by 7: 0.8 µs an id. The
// `uuid` package's v7 asks the system for 16 fresh bytes per id, 2.3 µs, which showed in the
// server's profile of an Okta push. Ids made within the same millisecond are not ordered among
// themselves, which RFC 9562 allows and the indexes do not need.
import { randomUUID } from 'node:crypto';

export function newId(): string {
  const time = Date.now().toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8)}-7${randomUUID().slice(15)}`;
}

export function now(): string {
  return new Date().toISOString();
}
