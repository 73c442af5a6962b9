import { type KeyboardEvent, type ReactNode, useId, useState } from "react";
import {
  type AxisKind,
  type AxisValue,
  axisPartsProblem,
  type BooleanKind,
  type EnumKind,
  type OptionalNumberKind,
} from "../../state/kinds";
import { type Property, propertyOf, type SettingKey } from "../../state/properties";
import { controlTooltip } from "./picture-effects";
import { setSetting, useReportDraftProblem, useSettingValue, useTextDraft } from "./useSetting";

/** One control for one table entry, chosen by the entry's kind. Test ids: "ctl-<URL key>". */
export function Field({ settingKey }: { settingKey: SettingKey }) {
  const p = propertyOf(settingKey);
  switch (p.kind.type) {
    case "enum":
      return <SelectField settingKey={settingKey} p={p} kind={p.kind} />;
    case "boolean":
      return <CheckboxField settingKey={settingKey} p={p} kind={p.kind} />;
    case "axis":
      return <AxisField settingKey={settingKey} p={p} kind={p.kind} />;
    case "optionalNumber":
      return <OptionalNumberField settingKey={settingKey} p={p} kind={p.kind} />;
    default:
      return <TextField settingKey={settingKey} p={p} />;
  }
}

function Problem({ id, message }: { id: string; message: string | null }) {
  if (message === null) return null;
  return (
    <div id={id} className="ctl-error" role="alert">
      {message}
    </div>
  );
}

function Row(props: { label: string; htmlFor?: string; help: string; children: ReactNode }) {
  return (
    <div className="ctl-row" title={props.help}>
      <label className="ctl-label" htmlFor={props.htmlFor}>
        {props.label}
      </label>
      <div className="ctl-input">{props.children}</div>
    </div>
  );
}

const PLACEHOLDERS: Partial<Record<string, string>> = {
  intList: "empty: linear model",
  numberList: "c0, c1, c2, ...",
  optionalInteger: "auto",
  optionalNumber: "none",
  batch: 'integer or "full"',
};

function TextField({ settingKey, p }: { settingKey: SettingKey; p: Property }) {
  const id = useId();
  const draft = useTextDraft(settingKey);
  useReportDraftProblem(settingKey, draft.error);
  const numeric = p.kind.type === "number" || p.kind.type === "integer";
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "Escape") draft.revert();
  };
  return (
    <>
      <Row label={p.label} htmlFor={id} help={controlTooltip(settingKey, p.help)}>
        <input
          id={id}
          type="text"
          inputMode={numeric ? "decimal" : "text"}
          spellCheck={false}
          autoComplete="off"
          data-testid={`ctl-${settingKey}`}
          className={draft.error ? "invalid" : undefined}
          aria-invalid={draft.error !== null}
          aria-describedby={draft.error ? `${id}-error` : undefined}
          placeholder={PLACEHOLDERS[p.kind.type]}
          value={draft.text}
          onChange={(e) => draft.onChange(e.target.value)}
          onFocus={draft.onFocus}
          onBlur={draft.onBlur}
          onKeyDown={onKeyDown}
        />
        {p.slider && <Slider settingKey={settingKey} p={p} />}
      </Row>
      <Problem id={`${id}-error`} message={draft.error} />
    </>
  );
}

/**
 * An optional number (e.g. SAM's rho): an on/off box and the value. Off stores null ("none");
 * on stores the last value used, or the kind's suggested one. Typing "none" also switches it off.
 */
function OptionalNumberField({
  settingKey,
  p,
  kind,
}: {
  settingKey: SettingKey;
  p: Property;
  kind: OptionalNumberKind;
}) {
  const id = useId();
  const value = useSettingValue(settingKey) as number | null;
  const draft = useTextDraft(settingKey);
  const [last, setLast] = useState(value ?? kind.suggested);
  const [toggleError, setToggleError] = useState<string | null>(null);
  if (value !== null && value !== last) setLast(value);
  const error = draft.error ?? toggleError;
  useReportDraftProblem(settingKey, error);
  return (
    <>
      <Row label={p.label} htmlFor={id} help={controlTooltip(settingKey, p.help)}>
        <input
          type="checkbox"
          aria-label={`${p.label} on`}
          data-testid={`ctl-${settingKey}-on`}
          checked={value !== null}
          onChange={(e) => {
            draft.revert();
            setToggleError(setSetting(settingKey, e.target.checked ? last : null));
          }}
        />
        <input
          id={id}
          type="text"
          inputMode="decimal"
          spellCheck={false}
          autoComplete="off"
          data-testid={`ctl-${settingKey}`}
          className={error ? "invalid" : undefined}
          aria-invalid={error !== null}
          aria-describedby={error ? `${id}-error` : undefined}
          placeholder={PLACEHOLDERS[kind.type]}
          value={draft.text}
          onChange={(e) => {
            setToggleError(null);
            draft.onChange(e.target.value);
          }}
          onFocus={draft.onFocus}
          onBlur={draft.onBlur}
          onKeyDown={(e) => {
            if (e.key === "Escape") draft.revert();
          }}
        />
      </Row>
      <Problem id={`${id}-error`} message={error} />
    </>
  );
}

/** Round a slider's value to a few significant digits, so that the URL stays short. */
function tidy(v: number): number {
  return Number(v.toPrecision(3));
}

function Slider({ settingKey, p }: { settingKey: SettingKey; p: Property }) {
  const value = useSettingValue(settingKey) as number;
  const s = p.slider;
  if (!s) return null;
  const log = s.log === true;
  const toTrack = (v: number) => (log ? Math.log10(Math.max(v, s.min)) : v);
  return (
    <input
      type="range"
      className="ctl-slider"
      aria-label={`${p.label} slider`}
      data-testid={`ctl-${settingKey}-slider`}
      min={toTrack(s.min)}
      max={toTrack(s.max)}
      step={log ? 0.01 : s.step}
      value={Math.min(toTrack(s.max), Math.max(toTrack(s.min), toTrack(value)))}
      onChange={(e) => {
        const t = Number(e.target.value);
        setSetting(settingKey, log ? tidy(10 ** t) : t);
      }}
    />
  );
}

function SelectField({ settingKey, p, kind }: { settingKey: SettingKey; p: Property; kind: EnumKind }) {
  const id = useId();
  const value = useSettingValue(settingKey) as string;
  const [error, setError] = useState<string | null>(null);
  useReportDraftProblem(settingKey, error);
  return (
    <>
      <Row label={p.label} htmlFor={id} help={controlTooltip(settingKey, p.help)}>
        <select
          id={id}
          data-testid={`ctl-${settingKey}`}
          value={value}
          onChange={(e) => setError(setSetting(settingKey, e.target.value))}
        >
          {kind.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </Row>
      <Problem id={`${id}-error`} message={error} />
    </>
  );
}

function CheckboxField({ settingKey, p }: { settingKey: SettingKey; p: Property; kind: BooleanKind }) {
  const id = useId();
  const value = useSettingValue(settingKey) as boolean;
  const [error, setError] = useState<string | null>(null);
  useReportDraftProblem(settingKey, error);
  return (
    <>
      <Row label={p.label} htmlFor={id} help={controlTooltip(settingKey, p.help)}>
        <input
          id={id}
          type="checkbox"
          data-testid={`ctl-${settingKey}`}
          checked={value}
          onChange={(e) => setError(setSetting(settingKey, e.target.checked))}
        />
      </Row>
      <Problem id={`${id}-error`} message={error} />
    </>
  );
}

const AXIS_PARTS = ["min", "max", "count"] as const;
type AxisPart = (typeof AXIS_PARTS)[number];

/**
 * min, max and count of a grid axis; a nullable axis (y) has an on/off box: off is a 1-D
 * landscape. While one part is being typed the others keep their stored values; a combination
 * that is not yet valid (min above max) shows its message and is not stored.
 */
function AxisField({ settingKey, p, kind }: { settingKey: SettingKey; p: Property; kind: AxisKind }) {
  const id = useId();
  const value = useSettingValue(settingKey) as AxisValue | null;
  const [last, setLast] = useState<AxisValue>(
    value ?? (p.default as AxisValue | null) ?? { min: -1, max: 1, count: 41 },
  );
  const [drafts, setDrafts] = useState<Partial<Record<AxisPart, string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [badPart, setBadPart] = useState<AxisPart | null>(null);
  useReportDraftProblem(settingKey, error);
  if (value !== null && value !== last) {
    setLast(value);
    if (Object.keys(drafts).length > 0 && error === null) setDrafts({});
  }
  const base = value ?? last;

  const edit = (part: AxisPart, text: string) => {
    const next = { ...drafts, [part]: text };
    setDrafts(next);
    const texts = {
      min: next.min ?? String(base.min),
      max: next.max ?? String(base.max),
      count: next.count ?? String(base.count),
    };
    // A message about the box that is wrong, not about the whole "min,max,count".
    const problem = axisPartsProblem(kind, texts);
    const parsed = kind.parse(`${texts.min},${texts.max},${texts.count}`);
    setBadPart(problem?.part ?? null);
    setError(problem?.message ?? (parsed.ok ? setSetting(settingKey, parsed.value) : parsed.message));
  };
  const toggle = (on: boolean) => {
    setBadPart(null);
    setError(setSetting(settingKey, on ? last : null));
  };

  return (
    <>
      <Row label={p.label} help={controlTooltip(settingKey, p.help)}>
        <fieldset className="ctl-axis" data-testid={`ctl-${settingKey}`} aria-label={p.label}>
          {kind.nullable && (
            <input
              type="checkbox"
              aria-label={`${p.label} on`}
              title="off: a 1-D landscape"
              data-testid={`ctl-${settingKey}-on`}
              checked={value !== null}
              onChange={(e) => toggle(e.target.checked)}
            />
          )}
          {AXIS_PARTS.map((part) => (
            <input
              key={part}
              type="text"
              inputMode="decimal"
              spellCheck={false}
              autoComplete="off"
              aria-label={`${p.label} ${part}`}
              placeholder={part}
              data-testid={`ctl-${settingKey}-${part}`}
              // The box that is wrong (all of them when it is their combination).
              className={error && (badPart === null || badPart === part) ? "invalid" : undefined}
              aria-invalid={error !== null && (badPart === null || badPart === part)}
              disabled={value === null}
              value={drafts[part] ?? String(base[part])}
              onChange={(e) => edit(part, e.target.value)}
              onBlur={() => {
                if (error === null) setDrafts({});
              }}
            />
          ))}
        </fieldset>
      </Row>
      <Problem id={`${id}-error`} message={error} />
    </>
  );
}
