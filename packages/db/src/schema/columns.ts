/** Column builders every schema file shares (no tables here, so any schema file may import it). */
import { numeric, timestamp } from 'drizzle-orm/pg-core';

export const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
export const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();
/** USD amounts: numeric(18,6), read as JS numbers. */
export const money = (name: string) => numeric(name, { precision: 18, scale: 6, mode: 'number' });
/** A timestamptz column read as a Date. */
export const at = (name: string) => timestamp(name, { withTimezone: true });
