import { describe, expect, it } from "vitest";
import { sliceSpec } from "../../src/app/views/slice-chart";
import { axisTitle, axisTitles, eigenDescription } from "../../src/scene/axis-labels";

const axis = (label: string) => ({ label, min: -1, max: 1, count: 3 });
const top = { method: "hessian", which: "top-1", eigenvalue: 12.3456 };
const bottom = { method: "hessian", which: "bottom", eigenvalue: -0.0044 };

describe("axis titles", () => {
  it("name a Hessian axis's eigenvector and its eigenvalue with three significant digits", () => {
    expect(axisTitle("x", top)).toBe("x: top eigenvector, λ = 12.3");
    expect(axisTitle("y", bottom)).toBe("y: bottom eigenvector, λ = -0.0044");
    expect(axisTitle("y", { method: "hessian", which: "top-2", eigenvalue: 3.1 })).toBe(
      "y: 2nd eigenvector, λ = 3.1",
    );
    expect(eigenDescription({ method: "hessian", which: "top-1", eigenvalue: 0.00001234 })).toBe(
      "top eigenvector, λ = 1.23e-5",
    );
    expect(eigenDescription({ method: "hessian", which: "top-1", eigenvalue: 0 })).toBe(
      "top eigenvector, λ = 0",
    );
  });

  it("keep the plain label for random and PCA axes and for a Hessian axis without a finite eigenvalue", () => {
    expect(axisTitle("x", undefined)).toBe("x");
    expect(axisTitle("x", { method: "random" })).toBe("x");
    expect(axisTitle("PC1", { method: "pca", eigenvalue: 3 })).toBe("PC1");
    // A PCA axis says which principal component it is.
    expect(axisTitle("x", { method: "pca" }, 0)).toBe("x: PC1");
    expect(axisTitle("y", { method: "pca" }, 1)).toBe("y: PC2");
    expect(axisTitle("x", { method: "hessian", which: "top-1" })).toBe("x");
    expect(axisTitle("x", { method: "hessian", which: "top-1", eigenvalue: Number.NaN })).toBe("x");
    expect(eigenDescription({ method: "hessian", which: "sideways", eigenvalue: 2 })).toBe(
      "eigenvector, λ = 2",
    );
  });

  it("give one title per grid axis, in axis order", () => {
    expect(axisTitles({ grid: { axes: [axis("x"), axis("y")] }, directions: [top, bottom] })).toEqual([
      "x: top eigenvector, λ = 12.3",
      "y: bottom eigenvector, λ = -0.0044",
    ]);
    expect(axisTitles({ grid: { axes: [axis("x")] } })).toEqual(["x"]);
    expect(axisTitles({ grid: { axes: [] }, directions: [] })).toEqual([]);
  });
});

describe("slice chart labels of Hessian axes", () => {
  const surface = Float32Array.from({ length: 9 }, (_, i) => i + 1);

  it("name the eigenvector and eigenvalue in each centre slice of a 2-D landscape", () => {
    const spec = sliceSpec(
      {
        grid: { axes: [axis("x"), axis("y")] },
        surfaces: { train_loss: surface },
        directions: [top, bottom],
      },
      "train_loss",
      false,
    );
    expect(spec.series.map((s) => s.label)).toEqual([
      "along x: top eigenvector, λ = 12.3 (y = 0)",
      "along y: bottom eigenvector, λ = -0.0044 (x = 0)",
    ]);
    expect(spec.xLabel).toBe("x / y");
  });

  it("title the x axis of a 1-D landscape, and rebuild the chart when the eigenvalue changes", () => {
    const one = (eigenvalue: number) =>
      sliceSpec(
        {
          grid: { axes: [axis("x")] },
          surfaces: { train_loss: surface.subarray(0, 3) },
          directions: [{ ...top, eigenvalue }],
        },
        "train_loss",
        true,
      );
    expect(one(12.3).xLabel).toBe("x: top eigenvector, λ = 12.3");
    expect(one(12.3).key).not.toBe(one(40).key);
  });

  it("keep the plain labels without directions", () => {
    const spec = sliceSpec(
      { grid: { axes: [axis("x"), axis("y")] }, surfaces: { train_loss: surface } },
      "train_loss",
      false,
    );
    expect(spec.series.map((s) => s.label)).toEqual(["along x (y = 0)", "along y (x = 0)"]);
  });
});
