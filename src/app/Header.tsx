export function Header() {
  return (
    <header className="app-header">
      <h1>Loss Landscape Lab</h1>
      <span className="app-tagline">flat vs sharp minima, mode connectivity, symmetry</span>
    </header>
  );
}
