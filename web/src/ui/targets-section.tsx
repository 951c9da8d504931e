/** The Targets section: one card per target, Exo nodes first. */
import { useApp } from "./app-context.ts";
import { TargetCard } from "./target-card.tsx";

export function TargetsSection() {
  const { state } = useApp();
  const targets = state.targets.value;
  const loaded = state.model.value.status !== null;
  return (
    <section class="panel targets-panel" aria-labelledby="targets-h">
      <h2 id="targets-h">Targets</h2>
      {!loaded && <p class="muted">Waiting for the first status…</p>}
      {loaded && targets.length === 0 && <p class="muted">No targets are monitored. Add one under Controls.</p>}
      <div class="cards" data-testid="targets">
        {targets.map((t) => (
          <TargetCard key={t.name} t={t} />
        ))}
      </div>
    </section>
  );
}
