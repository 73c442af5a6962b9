import { Header } from "./Header";
import { StatusBar } from "./StatusBar";
import { useComputeWorker } from "./useComputeWorker";

/** The page frame: header, main area (the 3D lab goes here), status bar. */
export function App() {
  const status = useComputeWorker();
  return (
    <div className="app">
      <Header />
      <main className="app-main">
        <section className="placeholder" aria-label="Landscape view">
          <h2>Landscape view</h2>
          <p>
            Train a small network, pick two directions in parameter space and look at the loss surface around
            the minimum. The 3D view and its controls arrive here next.
          </p>
        </section>
      </main>
      <StatusBar status={status} />
    </div>
  );
}
