/**
 * Catches an in-process HTTP server with a request in flight, then kills it there: the server's own request
 * handler (Fastify's) is wrapped so that matching requests are read in full and held instead of handled; once
 * the one waited for has arrived, `kill` resets every held socket (TCP RST, what the peer of a killed process
 * sees for a connection with a request outstanding), drops every other connection and closes the server.
 * That is as close to `kill -9` as one process allows: no answer, no graceful drain — but the process lives on,
 * so in-process state (open handles, timers) is closed by the caller rather than vanishing.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface RequestTrap {
  /** Resolves with `METHOD path` of the first held request whose body `awaited` accepts, once that body is read in full. */
  received: Promise<string>;
  /** Requests held so far. */
  readonly held: number;
  /** Resets the held sockets and every other connection of the server, then calls `close` (which must close the server). Idempotent. */
  kill(close: () => Promise<void>): Promise<void>;
}

/**
 * Holds the requests `holds` picks (e.g. `POST /api/v1/ml/decision/rightsize`); every other request goes to the
 * server's handler as before. `awaited` picks, by body, the held request `received` waits for (others are held
 * and killed alike, as a real crash would take them).
 */
export function trapRequests(server: Server, holds: (req: IncomingMessage) => boolean, awaited: (body: string) => boolean = () => true): RequestTrap {
  const handlers = server.listeners('request') as RequestListener[];
  const held: IncomingMessage[] = [];
  let signal: (what: string) => void = () => {};
  const received = new Promise<string>((resolve) => (signal = resolve));
  let killed: Promise<void> | undefined;

  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!holds(req)) {
      for (const handler of handlers) handler.call(server, req, res);
      return;
    }
    held.push(req);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (awaited(Buffer.concat(chunks).toString('utf8'))) signal(`${req.method} ${req.url}`);
    });
  });

  return {
    received,
    get held() {
      return held.length;
    },
    kill(close) {
      killed ??= (async () => {
        for (const req of held) if (!req.socket.destroyed) req.socket.resetAndDestroy();
        server.closeAllConnections();
        await close();
      })();
      return killed;
    },
  };
}
