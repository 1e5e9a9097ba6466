/** How numbers are written in the console: money in USD, shares in %, sizes in vCPU and GiB, times relative. */

const money = (digits: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: digits, maximumFractionDigits: digits });
const MONEY2 = money(2);
const MONEY4 = money(4);

/** `$1,234.56`; amounts under a dollar keep four decimals (per-hour node prices). */
export function usd(amount: number): string {
  return Math.abs(amount) > 0 && Math.abs(amount) < 1 ? MONEY4.format(amount) : MONEY2.format(amount);
}

export function usdPerHour(amount: number): string {
  return `${usd(amount)}/h`;
}

export function usdPerMonth(amount: number): string {
  return `${MONEY2.format(amount)}/mo`;
}

/** A fraction in [0, 1] as `42.0 %`; null as an en dash. */
export function percent(fraction: number | null, digits = 1): string {
  return fraction === null || !Number.isFinite(fraction) ? '–' : `${(fraction * 100).toFixed(digits)} %`;
}

export function cores(millicores: number): string {
  return `${(millicores / 1000).toFixed(millicores % 1000 === 0 ? 0 : 2)} vCPU`;
}

export function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

/** `12 s ago`, `5 min ago`, `3 h ago`, `2 d ago`; `never` for null. */
export function relativeTime(iso: string | null, nowMs: number): string {
  if (iso === null) return 'never';
  const seconds = Math.round((nowMs - Date.parse(iso)) / 1000);
  if (!Number.isFinite(seconds)) return 'unknown';
  if (seconds < 0) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

const DATE_TIME = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

/** A timestamp in the browser's zone; an en dash for null. */
export function dateTime(iso: string | null): string {
  return iso === null ? '–' : DATE_TIME.format(new Date(iso));
}

/** `spot_optimize` → `Spot optimize`. */
export function humanize(token: string): string {
  const text = token.replace(/[_-]+/g, ' ').trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}
