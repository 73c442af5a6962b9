import { useCallback, useEffect, useRef, useState } from "react";
import type { Kind } from "../../state/kinds";
import { propertyOf, type SettingKey } from "../../state/properties";
import { appStore, useAppStore } from "../../state/store";

/** Set a value through the store; returns the rejection message, or null. */
export function setSetting(key: SettingKey, value: unknown): string | null {
  const result = appStore.getState().set(key, value as never);
  return result.ok ? null : result.message;
}

/** The stored value of a setting (re-renders when it changes). */
export function useSettingValue(key: SettingKey): unknown {
  return useAppStore((s) => s.settings[key]);
}

/**
 * A text box bound to a setting: what the person types stays as typed (a draft) while the input
 * has focus, every readable draft is stored at once, and an unreadable or rejected one shows its
 * message instead. Once the input loses focus a valid draft gives way to the stored value's
 * canonical text; Escape goes back to the stored value.
 */
export function useTextDraft(key: SettingKey) {
  const kind = propertyOf(key).kind as Kind<unknown>;
  const value = useSettingValue(key);
  const stored = kind.format(value);
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const focused = useRef(false);
  // A change from elsewhere (preset, URL) replaces a leftover invalid draft.
  const [seen, setSeen] = useState(stored);
  if (seen !== stored) {
    setSeen(stored);
    if (!focused.current) {
      setDraft(null);
      setError(null);
    }
  }

  const onChange = useCallback(
    (text: string) => {
      setDraft(text);
      const parsed = kind.parse(text);
      setError(parsed.ok ? setSetting(key, parsed.value) : parsed.message);
    },
    [key, kind],
  );
  const onFocus = useCallback(() => {
    focused.current = true;
  }, []);
  const onBlur = useCallback(() => {
    focused.current = false;
    if (error === null) setDraft(null);
  }, [error]);
  const revert = useCallback(() => {
    setDraft(null);
    setError(null);
  }, []);

  return { text: draft ?? stored, error, onChange, onFocus, onBlur, revert };
}

/**
 * Tell the store whether this field's typed text can be stored (`error` null) or not, so that Run
 * refuses to start on the previous values while it cannot (store.draftProblems).
 */
export function useReportDraftProblem(key: SettingKey, error: string | null): void {
  useEffect(() => {
    appStore.getState().setDraftProblem(key, error);
  }, [key, error]);
  useEffect(() => () => appStore.getState().setDraftProblem(key, null), [key]);
}
