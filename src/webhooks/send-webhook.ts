// One delivery attempt: a signed POST (Standard Webhooks: `webhook-id`, `webhook-timestamp`,
// `webhook-signature`) to the address `resolveOutbound` checked, with a deadline for the whole
// exchange, the answer read up to a cap, and redirects not followed (a 3xx is a failed attempt:
// following it would let a public endpoint send Roster to a private address).
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { type HostLookup, OutboundRefusal, resolveOutbound } from './outbound-address.ts';

/** Of the answer, the log keeps this much. */
export const RESPONSE_CAP = 4096;

export interface OutboundMessage {
  url: string;
  /** `webhook-id`: the same on every attempt of one message, so receivers can drop duplicates. */
  messageId: string;
  payload: string;
  /** Every secret to sign with: two while a rotated secret's overlap lasts. */
  secrets: readonly string[];
  /** The deadline of the whole attempt: the name's resolution, the connection, the answer. */
  timeoutMs: number;
  allowPrivate: boolean;
  /** How the URL's name is resolved (the system's resolver unless a test gives another). */
  lookup?: HostLookup;
  /** Connections kept open between attempts (OutboundAgents); a connection per attempt without. */
  agents?: OutboundAgents;
}

/** Origins whose idle connections are kept, at most; the least recently used one's are closed. */
const KEPT_ORIGINS = 256;

/**
 * Keep-alive connections per origin, so that a busy endpoint is not sent each delivery over a new
 * TCP (and TLS) connection. A kept connection was made to an address resolveOutbound checked, for
 * the same name: reusing it sends nothing anywhere a new connection could not go. Idle connections
 * close when the receiver's `Keep-Alive: timeout` says (a second before), or after 4 s, and never
 * hold the process open.
 */
export class OutboundAgents {
  private readonly agents = new Map<string, HttpAgent>();

  constructor(private readonly perOrigin: number) {}

  get(url: URL): HttpAgent {
    const origin = `${url.protocol}//${url.host}`;
    let agent = this.agents.get(origin);
    if (agent) {
      this.agents.delete(origin);
    } else {
      const options = { keepAlive: true, maxSockets: this.perOrigin, timeout: 4000 };
      agent = url.protocol === 'https:' ? new HttpsAgent(options) : new HttpAgent(options);
    }
    this.agents.set(origin, agent);
    if (this.agents.size > KEPT_ORIGINS) {
      const [oldest, evicted] = this.agents.entries().next().value as [string, HttpAgent];
      this.agents.delete(oldest);
      evicted.destroy();
    }
    return agent;
  }

  /** Closes every kept connection. */
  destroy(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}

export interface SendResult {
  ok: boolean;
  status: number | null;
  error: string | null;
  durationMs: number;
  response: string | null;
  /** Not sent: the address is one outbound-address.ts refuses (private, loopback, metadata…). */
  refused?: boolean;
}

/** `webhook-signature`: one `v1,<base64>` per secret, separated by spaces. */
export function signatures(secrets: readonly string[], messageId: string, at: Date, payload: string): string {
  return secrets.map((secret) => new Webhook(secret).sign(messageId, at, payload)).join(' ');
}

class ResolutionTimeout extends Error {}

function readCapped(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      if (size < RESPONSE_CAP) chunks.push(chunk.subarray(0, RESPONSE_CAP - size));
      size += chunk.length;
      // Enough kept; the rest is not worth the bandwidth of a hostile or broken receiver.
      if (size >= RESPONSE_CAP) response.destroy();
    });
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', reject);
  });
}

export async function sendWebhook(message: OutboundMessage): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const failed = (error: string, refused = false): SendResult => ({
    ok: false,
    status: null,
    error,
    durationMs: elapsed(),
    response: null,
    ...(refused ? { refused } : {}),
  });
  let url: URL;
  try {
    url = new URL(message.url);
  } catch {
    return failed('the endpoint URL is not a URL');
  }
  // The resolution counts toward the deadline: a resolver that does not answer (the system's waits
  // several seconds per server and attempt, on a thread of a small pool) would otherwise hold the
  // attempt, and a graceful stop waiting for it, past its timeout. The lookup itself cannot be
  // cancelled; it is left to finish, unheeded.
  let target: Awaited<ReturnType<typeof resolveOutbound>>;
  let expired: NodeJS.Timeout | undefined;
  try {
    target = await Promise.race([
      resolveOutbound(url.hostname, message.allowPrivate, message.lookup),
      new Promise<never>((_, reject) => {
        expired = setTimeout(() => reject(new ResolutionTimeout()), message.timeoutMs);
      }),
    ]);
  } catch (error) {
    if (error instanceof ResolutionTimeout) {
      return failed(`no answer within ${message.timeoutMs} ms (resolving ${url.hostname})`);
    }
    if (error instanceof OutboundRefusal) return failed(error.message, true);
    return failed(String(error));
  } finally {
    clearTimeout(expired);
  }
  // The connection goes to the checked address; TLS still verifies the certificate for the name.
  const pinned: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all)
      callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const at = new Date();
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(result);
    };
    const request = send(url, {
      method: 'POST',
      lookup: pinned,
      agent: message.agents ? message.agents.get(url) : false,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Roster-Webhooks/1',
        'webhook-id': message.messageId,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signatures(message.secrets, message.messageId, at, message.payload),
      },
    });
    const deadline = setTimeout(
      () => {
        request.destroy();
        finish(failed(`no answer within ${message.timeoutMs} ms`));
      },
      Math.max(0, message.timeoutMs - elapsed()),
    );
    request.on('error', (error) => finish(failed(error.message)));
    request.on('response', (response) => {
      readCapped(response)
        .then((body) => {
          const status = response.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          finish({
            ok,
            status,
            error: ok
              ? null
              : status >= 300 && status < 400
                ? 'redirects are not followed'
                : `HTTP ${status}`,
            durationMs: elapsed(),
            response: body,
          });
        })
        .catch((error: Error) => finish(failed(error.message)));
    });
    request.end(message.payload);
  });
}
