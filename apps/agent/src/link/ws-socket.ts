/**
 * The StreamSocketFactory the agent gives its CentralClient: a `ws` WebSocket that sends the API key header on
 * the upgrade (browsers' WebSocket cannot). An upgrade central refuses (401, 403…) is reported as an error
 * naming the HTTP status, then as a close.
 */
import WebSocket from 'ws';
import type { StreamSocketFactory } from '@cloudoptim/api-client';

export const wsSocketFactory: StreamSocketFactory = (url, headers, handlers) => {
  const ws = new WebSocket(url, { headers, handshakeTimeout: 15_000, maxPayload: 8 * 2 ** 20 });
  let closed = false;
  const close = (code: number, reason: string) => {
    if (closed) return;
    closed = true;
    handlers.close(code, reason);
  };
  ws.on('open', () => handlers.open());
  ws.on('message', (data) => handlers.message(data.toString()));
  ws.on('unexpected-response', (_req, res) => {
    handlers.error(new Error(`central refused the stream upgrade: HTTP ${res.statusCode ?? '?'}`));
    res.resume();
    ws.terminate();
    close(1006, `HTTP ${res.statusCode ?? '?'}`);
  });
  ws.on('error', (err) => handlers.error(err));
  ws.on('close', (code, reason) => close(code, reason.toString()));
  return {
    send: (text) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(text);
    },
    close: (code, reason) => {
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(code, reason);
    },
  };
};
