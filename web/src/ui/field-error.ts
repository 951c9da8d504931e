/** Which form field an API error envelope's `param` points at ("url", "policy.intervalS", "body.name"…). */
export function paramMatches(param: string | null, field: string): boolean {
  if (param === null) return false;
  const parts = param.split(/[.[\]/]+/).filter((p) => p !== "");
  return parts.includes(field);
}
