/** The PATCH of a settings form: only the fields that changed (PATCH with nothing is refused by the server). */
import type { ClusterSettings } from '../../api/wire-types.ts';

export function settingsPatch(original: ClusterSettings, edited: ClusterSettings): Partial<ClusterSettings> {
  const patch: Partial<ClusterSettings> = {};
  for (const key of Object.keys(edited) as (keyof ClusterSettings)[]) {
    if (JSON.stringify(original[key]) !== JSON.stringify(edited[key])) (patch as Record<string, unknown>)[key] = edited[key];
  }
  return patch;
}

/** An optional text field: blank means null (the server's "not set"). */
export function blankToNull(value: string): string | null {
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}
