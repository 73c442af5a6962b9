/**
 * The training exports of the kernel's module (mlp-train.as), as the host calls them: every
 * pointer a byte offset into the instance's memory, every count in f32x4 vectors unless named
 * otherwise. mlp-train-kernel.ts strings them into passes.
 */
export interface TrainExports {
  mm(
    l: number,
    rs: number,
    cs: number,
    rows: number,
    kdim: number,
    b: number,
    ldb: number,
    n4: number,
    c: number,
    ldc: number,
    bias: number,
    accumulate: number,
  ): void;
  activate(z: number, a: number, count: number, act: number, res: number): void;
  derivatives(z: number, a: number, d1: number, d2: number, count: number, act: number): void;
  zeroColumns(p: number, rows: number, ld: number, from: number): void;
  mul(dst: number, a: number, b: number, count: number): void;
  addMul3(dst: number, a: number, b: number, c: number, count: number): void;
  add(dst: number, src: number, count: number): void;
  scale(dst: number, src: number, s: number, count: number): void;
  addScaled(dst: number, x: number, y: number, s: number, count: number): void;
  addColumnSums(dst: number, src: number, rows: number, ld: number): void;
  transpose(dst: number, src: number, rows: number, cols: number, lds: number, ldd: number): void;
  gatherRows(dst: number, src: number, ld: number, rows: number, count: number): void;
  sumSquares(p: number, count: number): number;
  crossEntropyHead(
    z: number,
    ld: number,
    n: number,
    classes: number,
    labels: number,
    s: number,
    dz: number,
    p: number,
    out: number,
  ): void;
  crossEntropyR(p: number, rz: number, ld: number, n: number, classes: number, s: number, rdz: number): void;
  squaredErrorHead(
    z: number,
    y: number,
    ld: number,
    n: number,
    cols: number,
    s: number,
    dz: number,
    out: number,
  ): void;
  optimizerStep(
    kind: number,
    w: number,
    g: number,
    m: number,
    v: number,
    count: number,
    lr: number,
    mu: number,
    b1: number,
    oneMinusB1: number,
    b2: number,
    oneMinusB2: number,
    eps: number,
    wd: number,
    c1: number,
    c2: number,
  ): void;
}
