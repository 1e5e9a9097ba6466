export * from './config.ts';
export * from './logger.ts';
export * from './clock.ts';
export * from './error-envelope.ts';
export * from './lifecycle.ts';
export * from './metrics.ts';
export * from './http-error-reply.ts';
export * from './stepped-clock.ts';
