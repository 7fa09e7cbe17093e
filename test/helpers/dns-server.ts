// A tiny DNS server on 127.0.0.1 (UDP, a random port) for the SSO domain-verification tests: it
// answers TXT queries from a table the test fills, NXDOMAIN for names it does not know, and can be
// told to stay silent (a resolver timeout). Enough of RFC 1035 for one question per query.
import { createSocket, type RemoteInfo } from 'node:dgram';

const TYPE_TXT = 16;
const CLASS_IN = 1;

export interface TestDnsServer {
  /** For DNS_SERVERS: `127.0.0.1:<port>`. */
  address: string;
  /** Lower-case name → the TXT records at that name, each a list of strings (queries match any case). */
  records: Map<string, string[][]>;
  /** Names whose queries get no answer at all. */
  silent: Set<string>;
  /** Every name asked, in order. */
  queries: string[];
  close(): Promise<void>;
}

/** The question's name and where the question section ends, or undefined for a malformed query. */
function readQuestion(message: Buffer): { name: string; end: number; type: number } | undefined {
  const labels: string[] = [];
  let offset = 12;
  while (offset < message.length) {
    const length = message[offset] ?? 0;
    offset += 1;
    if (length === 0) break;
    if (length > 63 || offset + length > message.length) return undefined;
    labels.push(message.subarray(offset, offset + length).toString('latin1'));
    offset += length;
  }
  if (offset + 4 > message.length) return undefined;
  return { name: labels.join('.'), type: message.readUInt16BE(offset), end: offset + 4 };
}

function txtAnswer(strings: string[]): Buffer {
  const data = Buffer.concat(
    strings.map((text) => {
      const bytes = Buffer.from(text, 'utf8');
      return Buffer.concat([Buffer.from([bytes.length]), bytes]);
    }),
  );
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
  head.writeUInt16BE(TYPE_TXT, 2);
  head.writeUInt16BE(CLASS_IN, 4);
  head.writeUInt32BE(0, 6); // TTL 0: nothing is cached between tests
  head.writeUInt16BE(data.length, 10);
  return Buffer.concat([head, data]);
}

function answer(query: Buffer, question: { end: number }, records: string[][] | undefined, type: number) {
  const answers = records && type === TYPE_TXT ? records.map(txtAnswer) : [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0); // the query's id
  // QR, the query's RD, RA; RCODE 3 (NXDOMAIN) for an unknown name.
  const rd = (query[2] ?? 0) & 0x01;
  header.writeUInt16BE(0x8080 | (rd << 8) | (records ? 0 : 3), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  return Buffer.concat([header, query.subarray(12, question.end), ...answers]);
}

export async function startTestDnsServer(): Promise<TestDnsServer> {
  const socket = createSocket('udp4');
  const records = new Map<string, string[][]>();
  const silent = new Set<string>();
  const queries: string[] = [];
  socket.on('message', (message: Buffer, peer: RemoteInfo) => {
    if (message.length < 12) return;
    const question = readQuestion(message);
    if (!question) return;
    const name = question.name.toLowerCase();
    queries.push(name);
    if (silent.has(name)) return;
    socket.send(answer(message, question, records.get(name), question.type), peer.port, peer.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const { port } = socket.address();
  return {
    address: `127.0.0.1:${port}`,
    records,
    silent,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
