// Record ids are UUIDs of version 7 (RFC 9562): a millisecond timestamp, then random bits. New rows
// then sit next to each other in every index keyed by an id (primary keys, `memberships.user_id`,
// the member emails, the audit log's target), so a transaction that creates members dirties a few
// shared index pages instead of one random page per index and member. Version 4 ids had every
// create write about 15 scattered pages; a group commit of creates cost half as much with these
// (docs/benchmarks.md, the fourth round). Ids are opaque to clients and never secrets: tokens and
// session cookies are random values of their own.
import { v7 } from 'uuid';

export function newId(): string {
  return v7();
}

export function now(): string {
  return new Date().toISOString();
}
