/**
 * `WS /api/v1/ml/stream`: `model_activated` and `gap_fill_progress` frames (contracts' ws-events) from every
 * replica, as JSON text messages. The service key is checked on the upgrade request (Authorization header) by
 * the app's /api hook; the stream is one-way (messages from the client are ignored).
 */
import type { FastifyInstance } from 'fastify';
import type { RouteDoc } from '../openapi.ts';
import type { MlEventBus } from './ml-event-bus.ts';

export const STREAM_PATH = '/api/v1/ml/stream';

export function registerStreamRoute(app: FastifyInstance, docs: RouteDoc[], bus: MlEventBus): void {
  docs.push({ method: 'get', path: STREAM_PATH, summary: 'WebSocket: model_activated and gap_fill_progress events (send the service key in the Authorization header of the upgrade)', auth: true, websocket: true });
  app.get(STREAM_PATH, { websocket: true }, (socket) => {
    const unsubscribe = bus.subscribe((event) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(event));
    });
    socket.on('close', unsubscribe);
    socket.on('error', unsubscribe);
  });
}
