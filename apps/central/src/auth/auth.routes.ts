/**
 * Sign-in for people: `POST /api/v1/auth/login` answers the session token (for API use as a bearer token) and
 * sets it as an HTTP-only cookie (for the admin UI); `logout` ends the session; `me` says who is signed in.
 * Sign-in attempts are throttled per e-mail and per client IP (security/login-throttle.ts).
 */
import { z } from 'zod';
import { IsoDateTimeSchema } from '@cloudoptim/contracts';
import { UsersRepository } from '@cloudoptim/db';
import type { Feature } from '../features.ts';
import { SESSION_COOKIE } from '../http/route.ts';
import { createLoginThrottle } from '../security/login-throttle.ts';
import { MAX_PASSWORD_LENGTH } from './passwords.ts';
import { SessionsService } from './sessions.service.ts';
import { EmailSchema, UserViewSchema, toUserView } from './user-view.ts';

const LoginBodySchema = z.object({ email: EmailSchema, password: z.string().min(1).max(MAX_PASSWORD_LENGTH) });
const LoginResponseSchema = z.object({ token: z.string(), user: UserViewSchema, expires_at: IsoDateTimeSchema });
const MeResponseSchema = z.object({ user: UserViewSchema });

export const authFeature: Feature = (routes, app, ctx) => {
  const sessions = new SessionsService(ctx.db, ctx.clock, ctx.auth, ctx.config.SESSION_TTL_SECONDS);
  const throttle = createLoginThrottle(ctx);
  app.addHook('onClose', () => throttle.close());
  const users = new UsersRepository(ctx.db.db);
  const secureCookie = new URL(ctx.config.CLOUDOPTIM_PUBLIC_URL).protocol === 'https:';
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax', secure: secureCookie } as const;

  routes.define({
    method: 'POST',
    path: '/api/v1/auth/login',
    summary: 'Sign in with e-mail and password: the session token, also set as an HTTP-only cookie',
    tag: 'auth',
    auth: 'public',
    body: LoginBodySchema,
    response: LoginResponseSchema,
    async handler({ req, reply, body }) {
      await throttle.attempt(body.email, req.ip);
      const { token, session, user } = await sessions.login(body.email, body.password);
      await throttle.succeeded(body.email, req.ip);
      await ctx.audit.record({ customerId: user.customerId, actor: `user:${user.email}`, action: 'user.login', target: `user/${user.id}`, requestId: req.id });
      void reply.header('cache-control', 'no-store').setCookie(SESSION_COOKIE, token, { ...cookieOptions, expires: session.expiresAt });
      return { token, user: toUserView(user), expires_at: session.expiresAt.toISOString() };
    },
  });

  routes.define({
    method: 'POST',
    path: '/api/v1/auth/logout',
    summary: 'End the current session and clear its cookie',
    tag: 'auth',
    auth: 'user',
    async handler({ req, reply, principal }) {
      await sessions.logout(principal.sessionId);
      await ctx.audit.record({ customerId: principal.customerId, actor: `user:${principal.email}`, action: 'user.logout', target: `user/${principal.userId}`, requestId: req.id });
      void reply.clearCookie(SESSION_COOKIE, cookieOptions);
    },
  });

  routes.define({
    method: 'GET',
    path: '/api/v1/auth/me',
    summary: 'The signed-in user',
    tag: 'auth',
    auth: 'user',
    response: MeResponseSchema,
    async handler({ principal }) {
      return { user: toUserView(await users.get(principal.customerId, principal.userId)) };
    },
  });
};
