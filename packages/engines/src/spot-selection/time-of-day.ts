/**
 * Time-of-day risk factor of the day-zero score.
 *
 * Assumption (documented, not measured): spot capacity is reclaimed more while on-demand demand peaks, i.e.
 * during business hours in the region's own time zone (Mon–Fri 09:00–18:00 local), less on weekday evenings
 * and least at weekends. Risk: business hours 1.0, weekday outside business hours 0.3, weekend 0.
 * The factor carries 5% of the score, so it tips close calls and nothing more.
 */

/** IANA time zone of each AWS region (the city it is named after). Unknown regions fall back to UTC. */
export const REGION_TIME_ZONES: Readonly<Record<string, string>> = Object.freeze({
  'us-east-1': 'America/New_York',
  'us-east-2': 'America/New_York',
  'us-west-1': 'America/Los_Angeles',
  'us-west-2': 'America/Los_Angeles',
  'us-gov-east-1': 'America/New_York',
  'us-gov-west-1': 'America/Los_Angeles',
  'ca-central-1': 'America/Toronto',
  'ca-west-1': 'America/Edmonton',
  'mx-central-1': 'America/Mexico_City',
  'sa-east-1': 'America/Sao_Paulo',
  'eu-west-1': 'Europe/Dublin',
  'eu-west-2': 'Europe/London',
  'eu-west-3': 'Europe/Paris',
  'eu-central-1': 'Europe/Berlin',
  'eu-central-2': 'Europe/Zurich',
  'eu-north-1': 'Europe/Stockholm',
  'eu-south-1': 'Europe/Rome',
  'eu-south-2': 'Europe/Madrid',
  'il-central-1': 'Asia/Jerusalem',
  'me-south-1': 'Asia/Bahrain',
  'me-central-1': 'Asia/Dubai',
  'af-south-1': 'Africa/Johannesburg',
  'ap-east-1': 'Asia/Hong_Kong',
  'ap-east-2': 'Asia/Taipei',
  'ap-south-1': 'Asia/Kolkata',
  'ap-south-2': 'Asia/Kolkata',
  'ap-northeast-1': 'Asia/Tokyo',
  'ap-northeast-2': 'Asia/Seoul',
  'ap-northeast-3': 'Asia/Tokyo',
  'ap-southeast-1': 'Asia/Singapore',
  'ap-southeast-2': 'Australia/Sydney',
  'ap-southeast-3': 'Asia/Jakarta',
  'ap-southeast-4': 'Australia/Melbourne',
  'ap-southeast-5': 'Asia/Kuala_Lumpur',
  'ap-southeast-7': 'Asia/Bangkok',
  'cn-north-1': 'Asia/Shanghai',
  'cn-northwest-1': 'Asia/Shanghai',
});

/** Local wall-clock facts at decision time. */
export interface LocalTime {
  timeZone: string;
  /** 0–23. */
  hour: number;
  /** ISO weekday: 1 Monday … 7 Sunday. */
  weekday: number;
  businessHours: boolean;
  /** Risk in [0, 1] (see the module comment). */
  risk: number;
}

const WEEKDAYS: Readonly<Record<string, number>> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
// Intl formatters are costly to build and pure once built: one per zone for the process.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: '2-digit', weekday: 'short' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Local hour, weekday and time-of-day risk of `nowMs` in `region`. */
export function localTimeOf(region: string, nowMs: number): LocalTime {
  const timeZone = REGION_TIME_ZONES[region] ?? 'UTC';
  let hour = 0;
  let weekday = 1;
  for (const part of formatter(timeZone).formatToParts(nowMs)) {
    if (part.type === 'hour') hour = Number(part.value) % 24;
    else if (part.type === 'weekday') weekday = WEEKDAYS[part.value] ?? 1;
  }
  const weekend = weekday >= 6;
  const businessHours = !weekend && hour >= 9 && hour < 18;
  return { timeZone, hour, weekday, businessHours, risk: businessHours ? 1 : weekend ? 0 : 0.3 };
}
