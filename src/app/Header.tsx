import type { ReactNode } from "react";

export function Header({ children }: { children?: ReactNode }) {
  return (
    <header className="app-header">
      <h1>Loss Landscape Lab</h1>
      <span className="app-tagline">flat vs sharp minima, filter normalization, training paths</span>
      <div className="header-actions">{children}</div>
    </header>
  );
}
