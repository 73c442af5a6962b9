/**
 * "What am I looking at?": a short explainer of the picture in plain words, with the maths one
 * click away (a disclosure). It opens by itself on a first visit (explainer-seen.ts) without
 * taking the focus, beside the views rather than over the controls, and the header's button
 * reopens it; "Got it" closes it for good. It is a non-modal dialog: the lab works behind it.
 *
 * @example <Explainer open={open} onClose={() => setOpen(false)} />
 */
import { useEffect, useId, useRef } from "react";
import { MARKER_COLORS } from "../../scene/markers";

export function Explainer({
  open,
  focus,
  onClose,
}: {
  open: boolean;
  /** Move the focus into it (it was opened with the button, not by itself). */
  focus: boolean;
  onClose(): void;
}) {
  const titleId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (open && focus) headingRef.current?.focus();
  }, [open, focus]);
  if (!open) return null;
  return (
    <section
      className="explainer"
      role="dialog"
      aria-modal="false"
      aria-labelledby={titleId}
      data-testid="explainer"
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.preventDefault();
          onClose();
        }
      }}
    >
      <header className="explainer-head">
        <h2 id={titleId} ref={headingRef} tabIndex={-1}>
          What am I looking at?
        </h2>
        <button
          type="button"
          className="explainer-x"
          onClick={onClose}
          aria-label="Close the explainer"
          title="Close (the ? button in the header opens it again)"
        >
          ×
        </button>
      </header>
      <div className="explainer-body">
        <p>
          A neural network is a long list of numbers, its weights. Training moves them to where the{" "}
          <strong>loss</strong> (how wrong the network is on its training data) is low. The picture shows the
          loss of the networks <em>around</em> the one training ended with.
        </p>
        <h3>A point of the plane</h3>
        <p>
          The centre (0, 0) is the trained network θ. Two directions d₁ and d₂ in weight space span a plane
          through it, and the point (x, y) is the network with weights θ + x·d₁ + y·d₂. Its height and its
          colour are that network's loss. So the axes say how far you moved away from θ along each direction.
        </p>
        <h3>Why these directions</h3>
        <p>
          The directions are random but <strong>filter-normalized</strong> (Li et al. 2018): each filter (the
          incoming weights of one unit) is scaled to the size of the same filter in θ. A network can often
          grow its weights without changing what it computes, and would then look flatter; with this scaling,
          one step means the same relative change everywhere, so the pictures of two networks can be compared.
        </p>
        <h3>Colours, heights and the log scale</h3>
        <p>
          Dark purple is low loss and yellow is high; the bar above the views gives the values. A loss spans
          several decades, so by default height and colour follow its logarithm (<em>log</em> by the bar):
          each equal step up multiplies the loss by the same factor. The very highest values are cut off (the
          top of the bar reads ≥), so that one huge value does not flatten everything else.
        </p>
        <h3>Dots and lines</h3>
        <ul className="explainer-keys">
          <li>
            <span className="explainer-dot" style={{ background: MARKER_COLORS.trained }} /> the trained
            network θ, at (0, 0)
          </li>
          <li>
            <span className="explainer-dot" style={{ background: MARKER_COLORS.optimum }} /> the lowest loss
            on the grid
          </li>
          <li>thin white lines on the surface: contour lines, each one loss level (as on a map)</li>
          <li>
            <span className="explainer-line" style={{ background: MARKER_COLORS.trajectory }} /> with PCA
            directions: the path training took; in the paths lessons, the straight line (dashed) and the curve
            between two trained networks
          </li>
          <li>
            the timeline under the views replays the training: a marker and its trail walk through the
            checkpoints, projected on the plane (several runs of an optimizer race: one colour each)
          </li>
          <li>below: slices through the centre, along x (y = 0) and along y (x = 0)</li>
        </ul>
        <h3>Flat or sharp</h3>
        <p>
          A <strong>flat</strong> minimum is a wide basin: the loss stays low as you move away from the white
          dot, and the contour lines lie far apart. A <strong>sharp</strong> minimum is a narrow pit: the loss
          climbs quickly and the lines crowd together. Compare two pictures only on one colour scale
          (comparisons and lessons share one bar), and let the lessons show where this simple story holds and
          where it does not.
        </p>
        <details className="explainer-maths" data-testid="explainer-maths">
          <summary>The maths</summary>
          <ul>
            <li>
              Surface: f(x, y) = L(θ + x d₁ + y d₂), where L(w) = (1/N) Σᵢ ℓ(network_w(xᵢ), yᵢ) is the mean
              loss over the N training samples.
            </li>
            <li>
              Filter normalization (Li et al. 2018): for every filter j of every layer, d_j ← d_j / ‖d_j‖ ·
              ‖θ_j‖; the biases of d are zero (or copied from θ). A Dense layer's filter is one column of its
              kernel.
            </li>
            <li>
              Colour and height: t = (log₁₀ f − log₁₀ f_min) / (log₁₀ f_clip − log₁₀ f_min), cut to [0, 1],
              with f_clip the 98% quantile of the grid (Clip quantile); without the log scale, f itself.
            </li>
            <li>
              Sharpness: the curvature at θ. The Hessian H = ∇²L(θ) has the largest eigenvalue λ_max; along a
              direction d, f″(0) = dᵀ H d. Gradient descent with step size η is stable only while λ_max ≤ 2/η,
              and full-batch training tends to hover at that edge (Cohen et al. 2021).
            </li>
            <li>Slices: f(x, 0) and f(0, y); a 1-D landscape is f(x) = L(θ + x d₁).</li>
          </ul>
        </details>
      </div>
      <footer className="explainer-foot">
        <button type="button" className="explainer-done" data-testid="explainer-close" onClick={onClose}>
          Got it
        </button>
      </footer>
    </section>
  );
}
