/**
 * `WS /api/v1/admin/stream`: live AdminStreamEvents for the admin UI. The browser authenticates with its session
 * cookie (or a bearer token from other clients) before the upgrade — a bad credential gets the 401 envelope and
 * no socket. A customer's users get their customer's events only; operators get all.
 */
import type { FastifyRequest } from 'fastify';
import type { UserPrincipal } from '../auth/principal.ts';
import { customerScope } from '../auth/principal.ts';
import type { Feature } from '../features.ts';
import { principalFor } from '../http/route.ts';

const principals = new WeakMap<FastifyRequest, UserPrincipal>();

export const adminStreamFeature: Feature = (routes, app, ctx) => {
  routes.docs.push({ method: 'GET', path: '/api/v1/admin/stream', summary: 'WebSocket: live admin events (AdminStreamEvent frames, JSON)', tag: 'realtime', auth: 'user', status: 101 });
  app.get(
    '/api/v1/admin/stream',
    {
      websocket: true,
      preValidation: async (req) => {
        principals.set(req, (await principalFor(ctx.auth, 'user', undefined, req)) as UserPrincipal);
      },
    },
    (socket, req) => {
      const user = principals.get(req);
      if (!user) return socket.close(1008, 'unauthenticated');
      const unsubscribe = ctx.realtime.subscribeAdmin({
        customerId: customerScope(user),
        send: (event) => {
          if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(event));
        },
      });
      socket.on('close', unsubscribe);
      // The stream is one-way; anything the client sends is ignored (pings are answered by ws itself).
      socket.on('message', () => {});
    },
  );
};
