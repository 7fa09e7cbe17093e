// A product's side of Roster's webhooks: it keeps its own sessions, and ends every session of a
// person the moment Roster says they were deactivated (Okta unassigned them, say), instead of
// waiting for the session to expire. Run: ROSTER_WEBHOOK_SECRET=whsec_… node receiver.mjs

import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks';

export function createReceiver({ secret }) {
  const webhook = new Webhook(secret);
  const sessions = new Map(); // session id → Roster member id
  const handled = new Set(); // webhook-ids already acted on: deliveries come at least once

  const server = createServer(async (request, response) => {
    const chunks = [];
    for await (const chunk of request) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString('utf8');
    const reply = (status, text = '') => response.writeHead(status).end(text);

    if (request.method === 'POST' && request.url === '/roster-webhooks') {
      let event;
      try {
        event = webhook.verify(body, request.headers); // signature and timestamp (5 min tolerance)
      } catch {
        return reply(400, 'bad signature');
      }
      if (handled.has(event.id)) return reply(204);
      if (event.type === 'member.deactivated') {
        for (const [id, memberId] of sessions) if (memberId === event.data.id) sessions.delete(id);
      }
      handled.add(event.id);
      return reply(204);
    }
    // The product's own sign-in, reduced to its minimum: after an OIDC or SAML sign-in the product
    // knows the person's Roster member id and opens its session.
    if (request.method === 'POST' && request.url === '/sessions') {
      const id = randomBytes(16).toString('hex');
      sessions.set(id, JSON.parse(body).memberId);
      return reply(201, JSON.stringify({ session: id }));
    }
    const session = /^\/sessions\/([0-9a-f]{32})$/.exec(request.url ?? '')?.[1];
    if (request.method === 'GET' && session) return reply(sessions.has(session) ? 200 : 404);
    return reply(404);
  });
  return { server, sessions };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { server } = createReceiver({ secret: process.env.ROSTER_WEBHOOK_SECRET });
  server.listen(Number(process.env.PORT ?? 3000), () => console.log('listening'));
}
