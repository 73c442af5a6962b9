import { useAppStore } from "../../state/store";

/** User-visible messages (URL problems, preset and import errors), newest last, each dismissable. */
export function Notices() {
  const messages = useAppStore((s) => s.messages);
  const dismiss = useAppStore((s) => s.dismiss);
  const clear = useAppStore((s) => s.clearMessages);
  if (messages.length === 0) return null;
  return (
    <section className="ctl-notices" aria-label="messages" data-testid="messages">
      {messages.map((m) => (
        <div
          key={m.id}
          className={`ctl-notice level-${m.level}`}
          role={m.level === "error" ? "alert" : "status"}
        >
          <span>{m.text}</span>
          <button
            type="button"
            className="ctl-notice-close"
            aria-label="dismiss"
            onClick={() => dismiss(m.id)}
          >
            ×
          </button>
        </div>
      ))}
      {messages.length > 1 && (
        <button type="button" className="ctl-link" onClick={clear}>
          dismiss all
        </button>
      )}
    </section>
  );
}
