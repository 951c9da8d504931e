/** Numbers and times for display, in the viewer's own locale and time zone. */
const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const usd = new Intl.NumberFormat(undefined, { style: "currency", currency: "USD", maximumFractionDigits: 4 });
const int = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

function toDate(t: string | number): Date | null {
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function fmtTime(t: string | number | null): string {
  if (t === null) return "—";
  const d = toDate(t);
  return d === null ? "—" : time.format(d);
}

export function fmtDateTime(t: string | number | null): string {
  if (t === null) return "—";
  const d = toDate(t);
  return d === null ? "—" : dateTime.format(d);
}

export function fmtMs(ms: number | null): string {
  if (ms === null) return "—";
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

export function fmtPct(ratio: number | null): string {
  return ratio === null ? "—" : `${(ratio * 100).toFixed(ratio >= 0.999 || ratio === 0 ? 0 : 1)}%`;
}

export function fmtUsd(v: number): string {
  return usd.format(v);
}

export function fmtInt(v: number): string {
  return int.format(v);
}

/** "3 s", "5 min": how long until a retry. */
export function fmtIn(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return s < 90 ? `${s} s` : `${Math.round(s / 60)} min`;
}
