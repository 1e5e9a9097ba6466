/** A user as the admin API shows it (never the password hash). */
import { z } from 'zod';
import { IsoDateTimeSchema } from '@cloudoptim/contracts';
import type { User } from '@cloudoptim/db';
import { ROLES } from './principal.ts';

export const UserViewSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  role: z.enum(ROLES),
  /** null for operators. */
  customer_id: z.uuid().nullable(),
  created_at: IsoDateTimeSchema,
  last_login_at: IsoDateTimeSchema.nullable(),
  disabled: z.boolean(),
});
export type UserView = z.input<typeof UserViewSchema>;

export function toUserView(user: User): UserView {
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    customer_id: user.customerId,
    created_at: user.createdAt.toISOString(),
    last_login_at: user.lastLoginAt?.toISOString() ?? null,
    disabled: user.disabledAt !== null,
  };
}

export const EmailSchema = z.string().trim().toLowerCase().pipe(z.email().max(320));
