/**
 * Add a target. The page checks only that required fields are filled; the admin
 * API validates, and its error envelope is shown next to the field it names.
 */
import { useState } from "preact/hooks";
import type { TargetConfigInput } from "@exo-bridge/core/config/target";
import type { ApiFailure } from "../net/api.ts";
import { useApp } from "./app-context.ts";
import { paramMatches } from "./field-error.ts";

function parseModels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\n|,/)) {
    const [alias, id] = line.split("=").map((s) => s.trim());
    if (alias !== undefined && alias !== "") out[alias] = id === undefined || id === "" ? alias : id;
  }
  return out;
}

export function AddTargetForm() {
  const { state, ctl } = useApp();
  const [name, setName] = useState("");
  const [kind, setKind] = useState<"exo" | "cloud">("exo");
  const [url, setUrl] = useState("");
  const [priority, setPriority] = useState("");
  const [models, setModels] = useState("");
  const [error, setError] = useState<ApiFailure | null>(null);
  const busy = state.busy.value.has("add");

  const submit = async (ev: Event) => {
    ev.preventDefault();
    const config: TargetConfigInput = { name: name.trim(), kind, url: url.trim(), models: parseModels(models) };
    if (priority.trim() !== "") config.priority = Number(priority);
    const res = await ctl.addTarget(config);
    if (res.ok) {
      setError(null);
      setName("");
      setUrl("");
      setPriority("");
      setModels("");
    } else {
      setError(res);
    }
  };
  const invalid = (field: string) => (error !== null && paramMatches(error.param, field) ? { "aria-invalid": true, "aria-describedby": "add-error" } : {});

  return (
    <form class="form" onSubmit={(e) => void submit(e)} data-testid="add-target-form" aria-labelledby="add-h">
      <h3 id="add-h">Add a target</h3>
      <label>
        Name
        <input name="name" required pattern="[a-z0-9_\-]{1,64}" title="lowercase letters, digits, _ and -" value={name} onInput={(e) => setName(e.currentTarget.value)} {...invalid("name")} />
      </label>
      <label>
        Kind
        <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value === "cloud" ? "cloud" : "exo")}>
          <option value="exo">Exo node</option>
          <option value="cloud">cloud provider</option>
        </select>
      </label>
      <label class="wide">
        URL
        <input name="url" required type="url" placeholder="https://exo.example.com" value={url} onInput={(e) => setUrl(e.currentTarget.value)} {...invalid("url")} />
      </label>
      <label>
        Priority <small>(lower first)</small>
        <input name="priority" type="number" min={0} max={1000} value={priority} onInput={(e) => setPriority(e.currentTarget.value)} {...invalid("priority")} />
      </label>
      <label class="wide">
        Models <small>(alias=upstream id, one per line)</small>
        <textarea name="models" rows={2} value={models} onInput={(e) => setModels(e.currentTarget.value)} {...invalid("models")} />
      </label>
      {error !== null && (
        <p id="add-error" class="error-text wide" role="alert" data-testid="add-target-error">
          {error.status === 0 ? "" : `${error.status} · `}
          {error.message}
          {error.param !== null && <> (field <code>{error.param}</code>)</>}
        </p>
      )}
      <button type="submit" data-testid="add-target-submit" disabled={busy}>
        {busy ? "Adding…" : "Add target"}
      </button>
    </form>
  );
}
