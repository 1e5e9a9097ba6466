import { sql, type SQL } from 'drizzle-orm';

/**
 * Turns `text` with `$1…$n` placeholders and its `params` into a Drizzle `SQL` object, so raw SQL runs through the
 * same session as Drizzle queries (inside a transaction it runs on the transaction's connection).
 * Limitation: a `$n` inside a string literal or a dollar-quoted body is also taken as a placeholder.
 * Throws a RangeError when a placeholder has no parameter.
 */
export function toSql(text: string, params: readonly unknown[] = []): SQL {
  const chunks: SQL[] = [];
  const placeholder = /\$(\d+)/g;
  let last = 0;
  for (const match of text.matchAll(placeholder)) {
    const index = Number(match[1]) - 1;
    if (index < 0 || index >= params.length) throw new RangeError(`SQL placeholder ${match[0]} has no parameter (${params.length} given)`);
    chunks.push(sql.raw(text.slice(last, match.index)), sql`${params[index]}`);
    last = match.index + match[0].length;
  }
  chunks.push(sql.raw(text.slice(last)));
  return sql.join(chunks);
}
