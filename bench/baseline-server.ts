// The yardstick: a bare `node:http` server that answers every request with one fixed SCIM
// ListResponse, the same bytes Roster answers to an Okta lookup that finds someone. It does no
// routing, authentication, database or JSON work, so it measures what this machine, this Node and
// the load generator can do at all; each Roster figure is reported as a ratio to it.
//
//   BASELINE_BODY_FILE=/tmp/body.json PORT=4000 node --import tsx bench/baseline-server.ts
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const bodyFile = process.env.BASELINE_BODY_FILE;
const body = bodyFile
  ? readFileSync(bodyFile)
  : Buffer.from(
      JSON.stringify({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
        totalResults: 0,
        itemsPerPage: 0,
        startIndex: 1,
        Resources: [],
      }),
    );
const headers = {
  'content-type': 'application/scim+json; charset=utf-8',
  'content-length': String(body.length),
};

const server = createServer((request, response) => {
  // Drain any request body, then answer.
  request.resume();
  request.on('end', () => {
    response.writeHead(200, headers);
    response.end(body);
  });
});

server.listen(Number(process.env.PORT) || 0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`listening ${port}\n`);
});

process.once('SIGTERM', () => server.close(() => process.exit(0)));
