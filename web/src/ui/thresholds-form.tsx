/** Edit one target's health thresholds; only changed values are sent (PATCH /api/targets/:name). */
import { useEffect, useState } from "preact/hooks";
import { HealthPolicySchema, type HealthPolicy } from "@exo-bridge/core/config/target";
import type { ApiFailure } from "../net/api.ts";
import { useApp } from "./app-context.ts";
import { paramMatches } from "./field-error.ts";

const FIELDS: { key: keyof HealthPolicy; label: string }[] = [
  { key: "intervalS", label: "Probe interval (s)" },
  { key: "timeoutMs", label: "Probe timeout (ms)" },
  { key: "failureThreshold", label: "Failures before offline" },
  { key: "recoveryThreshold", label: "Successes to recover" },
  { key: "degradedLatencyMs", label: "Slow above (ms)" },
  { key: "slowThreshold", label: "Slow probes before degraded" },
  { key: "syntheticIntervalS", label: "Synthetic completion every (s, 0 = never)" },
  { key: "ttftBudgetMs", label: "Time-to-first-token budget (ms)" },
];

export function ThresholdsForm() {
  const { state, ctl } = useApp();
  const targets = state.targets.value;
  const [name, setName] = useState<string>("");
  const current = targets.find((t) => t.name === name) ?? targets[0];
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiFailure | null>(null);

  // Refill the fields when another target is chosen (not on every status round, which would erase typing).
  const currentName = current?.name ?? "";
  useEffect(() => {
    const policy = current?.policy;
    setValues(policy === undefined ? {} : Object.fromEntries(FIELDS.map((f) => [f.key, String(policy[f.key])])));
    setError(null);
  }, [currentName]);

  if (current === undefined) return null;

  const submit = async (ev: Event) => {
    ev.preventDefault();
    const changed: Record<string, number> = {};
    for (const f of FIELDS) {
      const raw = values[f.key];
      if (raw === undefined || raw.trim() === "") continue;
      const n = Number(raw);
      if (n !== current.policy[f.key]) changed[f.key] = n;
    }
    if (Object.keys(changed).length === 0) {
      setError({ ok: false, status: 0, message: "Nothing changed.", type: "local", param: null, code: null });
      return;
    }
    // Sent as typed even if out of range: the API's answer is the authority and its message is shown.
    const policy = HealthPolicySchema.partial().safeParse(changed);
    const res = await ctl.patchTarget(current.name, { policy: policy.success ? policy.data : changed });
    setError(res.ok ? null : res);
  };

  return (
    <form class="form" onSubmit={(e) => void submit(e)} data-testid="thresholds-form" aria-labelledby="thr-h">
      <h3 id="thr-h">Edit thresholds</h3>
      <label class="wide">
        Target
        <select value={current.name} onChange={(e) => setName(e.currentTarget.value)} data-testid="thresholds-target">
          {targets.map((t) => (
            <option key={t.name} value={t.name}>{t.name}</option>
          ))}
        </select>
      </label>
      {FIELDS.map((f) => (
        <label key={f.key}>
          {f.label}
          <input
            type="number"
            name={f.key}
            value={values[f.key] ?? ""}
            onInput={(e) => setValues({ ...values, [f.key]: e.currentTarget.value })}
            {...(error !== null && paramMatches(error.param, f.key) ? { "aria-invalid": true, "aria-describedby": "thr-error" } : {})}
          />
        </label>
      ))}
      {error !== null && (
        <p id="thr-error" class="error-text wide" role="alert">
          {error.status === 0 ? "" : `${error.status} · `}
          {error.message}
          {error.param !== null && <> (field <code>{error.param}</code>)</>}
        </p>
      )}
      <button type="submit" disabled={state.busy.value.has(`patch:${current.name}`)}>Save thresholds</button>
    </form>
  );
}
