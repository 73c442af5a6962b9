import type { ReactNode } from "react";

/** The title, the classroom buttons beside it (`lead`), and the lab's actions on the right. */
export function Header({ lead, children }: { lead?: ReactNode; children?: ReactNode }) {
  return (
    <header className="app-header">
      <h1>Loss Landscape Lab</h1>
      <span className="app-tagline">flat vs sharp minima, filter normalization, training paths</span>
      {lead ? <div className="header-lead">{lead}</div> : null}
      <div className="header-actions">{children}</div>
    </header>
  );
}
