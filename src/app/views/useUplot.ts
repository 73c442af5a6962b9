/**
 * One uPlot chart in a container div: created when `makeOptions` changes (structure: series,
 * scales), fed with setData when `makeData` or `dataVersion` changes (arrays grown in place),
 * sized to the container by a ResizeObserver (the legend's height is left to the legend), and
 * destroyed on unmount with its observer.
 */
import { type RefObject, useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/** Below this container height (CSS px) the legend is hidden. */
const COMPACT_HEIGHT = 150;

export type ChartOptions = Omit<uPlot.Options, "width" | "height">;

/** @example const ref = useUplot(makeOptions, makeData, version); return <div ref={ref} className="vw-chart" />; */
export function useUplot(
  makeOptions: () => ChartOptions,
  makeData: () => uPlot.AlignedData,
  dataVersion: number,
): RefObject<HTMLDivElement | null> {
  const containerRef = useRef<HTMLDivElement | null>(null);
  const chart = useRef<uPlot | null>(null);
  const dataRef = useRef(makeData);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const u = new uPlot({ ...makeOptions(), width: 100, height: 100 }, dataRef.current(), container);
    chart.current = u;
    const fitToContainer = () => {
      // The legend's height depends on the chart's width (its entries wrap): a chart that was out of
      // sight (a closed drawer, presentation mode) measured a tall legend at its minimum width, so
      // measure again after resizing, until the sizes settle.
      for (let attempt = 0; attempt < 3; attempt++) {
        // Short charts drop the legend: the plot needs the room more than the labels.
        u.root.classList.toggle("vw-compact", container.clientHeight < COMPACT_HEIGHT);
        const legend = u.root.querySelector<HTMLElement>(".u-legend");
        const width = Math.max(60, Math.floor(container.clientWidth));
        const height = Math.max(60, Math.floor(container.clientHeight - (legend?.offsetHeight ?? 0)));
        if (width === u.width && height === u.height) return;
        u.setSize({ width, height });
      }
    };
    fitToContainer();
    const observer = new ResizeObserver(fitToContainer);
    observer.observe(container);
    return () => {
      observer.disconnect();
      u.destroy();
      if (chart.current === u) chart.current = null;
    };
  }, [makeOptions]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: dataVersion marks arrays updated in place
  useEffect(() => {
    dataRef.current = makeData;
    chart.current?.setData(makeData());
  }, [makeData, dataVersion]);

  return containerRef;
}
