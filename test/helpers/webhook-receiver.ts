// A real HTTP receiver for webhook tests: records every request it gets (headers and body), checks
// its Standard Webhooks signature with the `standardwebhooks` verifier when given the secret, and
// answers as the test says (status, delay, body, or a connection left hanging).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { DeliveryWorker } from '../../src/webhooks/delivery-worker.ts';
import { setupApp, type TestApp } from './app.ts';
import type { StoreKind } from './stores.ts';

export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  payload: {
    id: string;
    type: string;
    organization?: { id: string } | null;
    data: Record<string, unknown> & { id: string };
  };
  /** Whether the signature verified with the secrets the receiver was given (each of them). */
  verified: boolean[];
  path: string;
}

export type Answer = (
  request: ReceivedWebhook,
  count: number,
) => {
  status?: number;
  body?: string;
  delayMs?: number;
  headers?: Record<string, string>;
  hang?: boolean;
};

export interface TestReceiver {
  url: string;
  received: ReceivedWebhook[];
  secrets: string[];
  answer: Answer;
  /** TCP connections accepted so far. */
  connections: number;
  /** Resolves once `n` requests have arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** `port`: listen there (a receiver coming back where it was); 0 for any free port. */
export async function startReceiver(
  answer: Answer = () => ({ status: 204 }),
  port = 0,
): Promise<TestReceiver> {
  const hanging: ServerResponse[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const receiver: TestReceiver = {
    url: '',
    received: [],
    secrets: [],
    answer,
    connections: 0,
    async waitFor(n, timeoutMs = 20_000) {
      if (receiver.received.length >= n) return;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`received ${receiver.received.length} webhooks, expected ${n}`)),
          timeoutMs,
        );
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer(async (request, response) => {
    const body = await readBody(request);
    const headers = {
      'webhook-id': String(request.headers['webhook-id'] ?? ''),
      'webhook-timestamp': String(request.headers['webhook-timestamp'] ?? ''),
      'webhook-signature': String(request.headers['webhook-signature'] ?? ''),
    };
    const verified = receiver.secrets.map((secret) => {
      try {
        new Webhook(secret).verify(body, headers);
        return true;
      } catch {
        return false;
      }
    });
    const received: ReceivedWebhook = {
      id: headers['webhook-id'],
      timestamp: headers['webhook-timestamp'],
      signature: headers['webhook-signature'],
      body,
      payload: JSON.parse(body) as ReceivedWebhook['payload'],
      verified,
      path: request.url ?? '',
    };
    receiver.received.push(received);
    for (const waiter of waiters.filter((w) => receiver.received.length >= w.n)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    const reply = receiver.answer(received, receiver.received.length);
    if (reply.hang) {
      hanging.push(response);
      return;
    }
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    response.writeHead(reply.status ?? 204, reply.headers ?? {});
    response.end(reply.body ?? '');
  });
  server.on('connection', () => {
    receiver.connections++;
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return receiver;
}

/**
 * An app whose webhooks may reach this machine (the receivers above), retried at once, each attempt
 * given a second; and a delivery worker over its store, which the test drives (`drain`).
 */
export async function setupWebhookApp(kind: StoreKind): Promise<{ t: TestApp; worker: DeliveryWorker }> {
  const t = await setupApp(kind, 'acme', {
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    WEBHOOK_RETRY_SCHEDULE: '0,0',
    WEBHOOK_TIMEOUT_SECONDS: '1',
  });
  return { t, worker: new DeliveryWorker(t.store, { settings: t.config.webhooks, retentionDays: 30 }) };
}
