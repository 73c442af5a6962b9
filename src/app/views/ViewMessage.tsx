/** A view panel that only says why there is nothing to draw. */
import "./views.css";

export function ViewMessage({ text, testId }: { text: string; testId?: string }) {
  return (
    <div className="vw-panel" data-testid={testId}>
      <p className="vw-message">{text}</p>
    </div>
  );
}
