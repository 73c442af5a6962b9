/**
 * "Copy link": the page's URL holds the whole experiment config (never the data), so the link
 * reopens the same experiment, and recomputes the same landscape from the same seeds, anywhere.
 */
import { useState } from "react";
import { appStore } from "../state/store";

export function CopyLinkButton() {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    const link = location.href;
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // No clipboard (permissions, an insecure origin): show the link so it can be copied by hand.
      appStore.getState().notify(`copy this link: ${link}`, "info");
    }
  };
  return (
    <button
      type="button"
      data-testid="copy-link"
      title="copy a link to this experiment (its settings, not its data)"
      onClick={() => void copy()}
    >
      {copied ? "Link copied" : "Copy link"}
    </button>
  );
}
