// The training settings of the spec: data set, loss, optimiser, schedule, epochs, batch size, seed, device,
// probes. Choices come from the catalog; limits, defaults and help from the RunSpec's JSON Schema.
import type { ReactNode } from "react";
import type { Catalog, NamedEntry } from "../api";
import type { ProbeSpec } from "../generated/runspec";
import type { RunSettings } from "../lib/graph";
import { schemaDefault, schemaParam } from "../specSchema";
import { NODES_PARAM, watchesNodes } from "../lib/probeNodes";
import { readsDataDir } from "../lib/dataDirs";
import { DataDirPanel } from "./DataDirPanel";
import { NodePicker } from "./NodePicker";
import { ParamField, ParamForm } from "./ParamForm";

type Update = (fn: (s: RunSettings) => RunSettings) => void;

function Section({ title, children, testId }: { title: string; children: ReactNode; testId: string }) {
  return (
    <details className="panel settings-section" open data-testid={testId}>
      <summary>{title}</summary>
      <div className="settings-body">{children}</div>
    </details>
  );
}

function EntrySelect({
  entries,
  value,
  onChange,
  testId,
  label,
}: {
  entries: readonly NamedEntry[];
  value: string;
  onChange: (name: string) => void;
  testId: string;
  label: string;
}) {
  const known = entries.some((e) => e.name === value);
  const help = entries.find((e) => e.name === value)?.help;
  return (
    <div className="field">
      <label htmlFor={testId}>{label}</label>
      <select id={testId} data-testid={testId} value={value} onChange={(e) => onChange(e.target.value)}>
        {!known && <option value={value}>{value || "—"}</option>}
        {entries.map((e) => (
          <option key={e.name} value={e.name} title={e.help}>
            {e.name}
          </option>
        ))}
      </select>
      {help && <p className="help">{help}</p>}
    </div>
  );
}

/** Set or remove (undefined) one key of an object. */
function assign<T extends object>(obj: T, key: string, value: unknown): T {
  const next = { ...obj } as Record<string, unknown>;
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next as T;
}

/** Another loss: its parameters differ, the output it applies to stays, the expression only for `expression`. */
function switchLoss(loss: RunSettings["loss"], name: string): NonNullable<RunSettings["loss"]> {
  const next: NonNullable<RunSettings["loss"]> = { name };
  if (loss?.output) next.output = loss.output;
  if (name === "expression" && loss?.expression) next.expression = loss.expression;
  return next;
}

const P = {
  name: schemaParam("RunSpec", "name"),
  valFraction: schemaParam("DataSpec", "val_fraction"),
  scaling: schemaParam("DataSpec", "scaling"),
  targets: schemaParam("DataSpec", "targets"),
  lr: schemaParam("OptimizerSpec", "lr"),
  clip: schemaParam("OptimizerSpec", "grad_clip_norm"),
  epochs: schemaParam("RunSpec", "epochs"),
  maxSteps: schemaParam("RunSpec", "max_steps"),
  batch: { ...schemaParam("RunSpec", "batch_size"), kind: "int" as const, nullable: false },
  seed: schemaParam("RunSpec", "seed"),
  evalEvery: schemaParam("RunSpec", "eval_every_steps"),
};

export function SettingsPanel({
  catalog,
  settings,
  update,
  outputs,
  nodes,
}: {
  catalog: Catalog;
  settings: RunSettings;
  update: Update;
  /** The graph's output nodes: the loss needs one named when there are several. */
  outputs: readonly string[];
  /** The graph's nodes: probes that watch chosen layers pick from them. */
  nodes: readonly { id: string; type?: string }[];
}) {
  const data = settings.data;
  const dataset = catalog.datasets.find((d) => d.name === data.name);
  const lossName = settings.loss?.name ?? schemaDefault("LossSpec", "name", "cross_entropy");
  const loss = catalog.losses.find((l) => l.name === lossName);
  const optName = settings.optimizer?.name ?? schemaDefault("OptimizerSpec", "name", "adam");
  const optimizer = catalog.optimizers.find((o) => o.name === optName);
  const schedName = settings.schedule?.name ?? schemaDefault("ScheduleSpec", "name", "constant");
  const schedule = catalog.schedules.find((s) => s.name === schedName);
  const programs = catalog.programs ?? [];
  const programKind = settings.program?.kind ?? schemaDefault("ProgramSpec", "kind", "supervised");
  const program = programs.find((p) => p.kind === programKind);
  const batch = settings.batch_size ?? schemaDefault<number | "full">("RunSpec", "batch_size", 32);
  const has = (obj: object | undefined | null, key: string) => obj !== undefined && obj !== null && key in obj;

  const setData = (key: string, value: unknown) => update((s) => ({ ...s, data: assign(s.data, key, value) }));
  const setLoss = (key: string, value: unknown) => update((s) => ({ ...s, loss: assign(s.loss ?? { name: lossName }, key, value) }));
  const setOpt = (key: string, value: unknown) =>
    update((s) => ({ ...s, optimizer: assign(s.optimizer ?? { name: optName }, key, value) }));
  const setSched = (key: string, value: unknown) =>
    update((s) => ({ ...s, schedule: assign(s.schedule ?? { name: schedName }, key, value) }));
  const setTop = (key: string, value: unknown) => update((s) => assign(s, key, value));

  const probes = settings.probes ?? null;
  const defaultProbes = (): ProbeSpec[] =>
    catalog.probes.filter((p) => p.default !== false).map((p) => ({ name: p.name }));
  const setProbe = (name: string, on: boolean) =>
    update((s) => {
      const current = s.probes ?? defaultProbes();
      const next = on ? [...current.filter((p) => p.name !== name), { name }] : current.filter((p) => p.name !== name);
      return { ...s, probes: next };
    });
  const setProbeParam = (name: string, key: string, value: unknown) =>
    update((s) => ({
      ...s,
      probes: (s.probes ?? []).map((p) => (p.name === name ? { ...p, params: assign(p.params ?? {}, key, value) } : p)),
    }));

  return (
    <div className="settings">
      <Section title="Run" testId="section-run">
        <ParamField spec={P.name} label="name" value={settings.name ?? ""} testId="spec-name" placeholder="Untitled" onChange={(v) => setTop("name", v === "" ? undefined : v)} />
        {programs.length > 1 && (
          <div className="field">
            <label htmlFor="program-select">program</label>
            <select
              id="program-select"
              data-testid="program-select"
              value={programKind}
              onChange={(e) => update((s) => ({ ...s, program: { kind: e.target.value } }))}
            >
              {programs.map((p) => (
                <option key={p.kind} value={p.kind} title={p.help}>
                  {p.kind}
                </option>
              ))}
            </select>
            {program?.help && <p className="help">{program.help}</p>}
          </div>
        )}
        {program && program.params.length > 0 && (
          <ParamForm
            specs={program.params}
            values={settings.program?.params}
            testPrefix="program-param-"
            onChange={(k, v) =>
              update((s) => ({ ...s, program: { ...(s.program ?? { kind: programKind }), params: assign(s.program?.params ?? {}, k, v) } }))
            }
          />
        )}
      </Section>

      <Section title="Data" testId="section-data">
        <EntrySelect
          entries={catalog.datasets}
          value={data.name}
          label="data set"
          testId="dataset-select"
          onChange={(name) => update((s) => ({ ...s, data: { ...assign(s.data, "params", undefined), name } }))}
        />
        {dataset && <ParamForm specs={dataset.params} values={data.params} testPrefix="data-param-" onChange={(k, v) => setData("params", assign(data.params ?? {}, k, v))} />}
        {dataset && readsDataDir(dataset) && (
          <DataDirPanel value={data.data_dir ?? undefined} classes={data.params?.classes ?? dataset.params.find((p) => p.name === "classes")?.default} onChoose={(dir) => setData("data_dir", dir)} />
        )}
        <ParamField spec={P.valFraction} label="validation share" value={data.val_fraction ?? P.valFraction.default} isSet={has(data, "val_fraction")} testId="val-fraction" onChange={(v) => setData("val_fraction", v)} />
        <ParamField spec={P.scaling} label="scaling" value={data.scaling ?? P.scaling.default} isSet={has(data, "scaling")} testId="data-scaling" onChange={(v) => setData("scaling", v ?? undefined)} />
        <ParamField spec={P.targets} label="class targets" value={data.targets ?? P.targets.default} isSet={has(data, "targets")} testId="data-targets" onChange={(v) => setData("targets", v ?? undefined)} />
      </Section>

      <Section title="Loss" testId="section-loss">
        <EntrySelect entries={catalog.losses} value={lossName} label="loss" testId="loss-select" onChange={(name) => update((s) => ({ ...s, loss: switchLoss(s.loss, name) }))} />
        {loss && <ParamForm specs={loss.params} values={settings.loss?.params} testPrefix="loss-param-" onChange={(k, v) => setLoss("params", assign(settings.loss?.params ?? {}, k, v))} />}
        {lossName === "expression" && (
          <div className="field">
            <label htmlFor="loss-expression">expression</label>
            <textarea
              id="loss-expression"
              data-testid="loss-expression"
              rows={3}
              spellCheck={false}
              value={settings.loss?.expression ?? ""}
              placeholder="mean((prediction - target)**2)"
              onChange={(e) => setLoss("expression", e.target.value || undefined)}
            />
          </div>
        )}
        {(outputs.length > 1 || settings.loss?.output) && (
          <div className="field">
            <label htmlFor="loss-output">applies to output</label>
            <select id="loss-output" data-testid="loss-output" value={settings.loss?.output ?? ""} onChange={(e) => setLoss("output", e.target.value || undefined)}>
              <option value="">— the only output —</option>
              {[...new Set([...outputs, ...(settings.loss?.output ? [settings.loss.output] : [])])].map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          </div>
        )}
      </Section>

      <Section title="Optimiser" testId="section-optimizer">
        <EntrySelect entries={catalog.optimizers} value={optName} label="optimiser" testId="optimizer-select" onChange={(name) => update((s) => ({ ...s, optimizer: { ...assign(s.optimizer ?? {}, "params", undefined), name } }))} />
        <ParamField spec={P.lr} label="learning rate" value={settings.optimizer?.lr ?? P.lr.default} isSet={has(settings.optimizer, "lr")} testId="optimizer-lr" onChange={(v) => setOpt("lr", v)} />
        {optimizer && <ParamForm specs={optimizer.params} values={settings.optimizer?.params} testPrefix="optimizer-param-" onChange={(k, v) => setOpt("params", assign(settings.optimizer?.params ?? {}, k, v))} />}
        <ParamField spec={P.clip} label="clip gradient norm" value={settings.optimizer?.grad_clip_norm ?? null} testId="optimizer-clip" placeholder="off" onChange={(v) => setOpt("grad_clip_norm", v ?? undefined)} />
      </Section>

      <Section title="Schedule" testId="section-schedule">
        <EntrySelect entries={catalog.schedules} value={schedName} label="learning-rate schedule" testId="schedule-select" onChange={(name) => update((s) => ({ ...s, schedule: { name } }))} />
        {schedule && <ParamForm specs={schedule.params} values={settings.schedule?.params} testPrefix="schedule-param-" onChange={(k, v) => setSched("params", assign(settings.schedule?.params ?? {}, k, v))} />}
      </Section>

      <Section title="Training" testId="section-training">
        <ParamField spec={P.epochs} label="epochs" value={settings.epochs ?? null} testId="epochs-input" placeholder="10" onChange={(v) => setTop("epochs", v ?? undefined)} />
        <ParamField spec={P.maxSteps} label="max steps" value={settings.max_steps ?? null} testId="max-steps-input" placeholder="no limit" onChange={(v) => setTop("max_steps", v ?? undefined)} />
        <div className="field-row">
          {batch === "full" ? (
            <div className="field">
              <label>batch size</label>
              <input value="all examples" disabled data-testid="batch-size-input" />
            </div>
          ) : (
            <ParamField spec={P.batch} label="batch size" value={batch} testId="batch-size-input" onChange={(v) => setTop("batch_size", v)} />
          )}
          <div className="field field-check" title="Batch gradient descent: every step sees all training examples.">
            <label>
              <input
                type="checkbox"
                data-testid="batch-full"
                checked={batch === "full"}
                onChange={(e) => setTop("batch_size", e.target.checked ? "full" : 32)}
              />
              full batch
            </label>
          </div>
        </div>
        <ParamField spec={P.seed} label="seed" value={settings.seed ?? P.seed.default} isSet={has(settings, "seed")} testId="seed-input" onChange={(v) => setTop("seed", v)} />
        <ParamField spec={P.evalEvery} label="validate every (steps)" value={settings.eval_every_steps ?? null} testId="eval-every-input" placeholder="each epoch" onChange={(v) => setTop("eval_every_steps", v ?? undefined)} />
        <div className="field">
          <label htmlFor="device-select">device</label>
          <select id="device-select" data-testid="device-select" value={settings.device ?? "auto"} onChange={(e) => setTop("device", e.target.value === "auto" ? undefined : e.target.value)}>
            {[...new Set(["auto", "cpu", "cuda", settings.device ?? "auto"])].map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </div>
      </Section>

      <Section title="Probes" testId="section-probes">
        <div className="field field-check" title="Let the trainer pick the views that suit the data (boundaries for 2-D data, histograms).">
          <label>
            <input
              type="checkbox"
              data-testid="probes-auto"
              checked={probes === null}
              onChange={(e) => update((s) => (e.target.checked ? assign(s, "probes", undefined) : { ...s, probes: defaultProbes() }))}
            />
            defaults for the data
          </label>
        </div>
        {catalog.probes.map((p) => {
          const chosen = probes?.find((q) => q.name === p.name);
          return (
            <div key={p.name} className="probe">
              <div className="field field-check" title={p.help}>
                <label>
                  <input
                    type="checkbox"
                    data-testid={`probe-${p.name}`}
                    disabled={probes === null}
                    checked={probes === null ? p.default !== false : Boolean(chosen)}
                    onChange={(e) => setProbe(p.name, e.target.checked)}
                  />
                  {p.name}
                </label>
              </div>
              {chosen && (
                <ParamForm
                  specs={watchesNodes(p) ? p.params.filter((q) => q.name !== NODES_PARAM) : p.params}
                  values={chosen.params}
                  testPrefix={`probe-${p.name}-param-`}
                  onChange={(k, v) => setProbeParam(p.name, k, v)}
                />
              )}
              {chosen && watchesNodes(p) && (
                <NodePicker probe={p.name} nodes={nodes} value={chosen.params?.[NODES_PARAM]} onChange={(v) => setProbeParam(p.name, NODES_PARAM, v)} />
              )}
            </div>
          );
        })}
      </Section>
    </div>
  );
}
