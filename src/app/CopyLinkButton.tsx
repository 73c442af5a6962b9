/**
 * "Copy link": a link that reproduces what is shown (origin.ts): the settings of the landscape on
 * screen (never its data), or the lesson or preset it came from, with the view being looked at.
 * When nothing can reproduce it (an imported surface file, files picked in this browser, a
 * library entry the controls cannot hold), the button is off and says why. Before anything is
 * shown, the link holds the controls.
 */
import { useState } from "react";
import { shareLink } from "../state/origin";
import { appStore, selectShownOrigin, useAppStore } from "../state/store";
import { encodeHash } from "../state/url";

export function CopyLinkButton() {
  const [copied, setCopied] = useState(false);
  const origin = useAppStore(selectShownOrigin);
  const settings = useAppStore((s) => s.settings);
  const link = origin ? shareLink(origin, settings) : { hash: encodeHash(settings) };
  const copy = async (hash: string) => {
    const url = `${location.origin}${location.pathname}${location.search}${hash ? `#${hash}` : ""}`;
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // No clipboard (permissions, an insecure origin): show the link so it can be copied by hand.
      appStore.getState().notify(`copy this link: ${url}`, "info");
    }
  };
  if ("reason" in link) {
    return (
      <button
        type="button"
        data-testid="copy-link"
        disabled
        title={link.reason}
        aria-describedby="copy-link-why"
      >
        Copy link
        <span id="copy-link-why" className="visually-hidden">
          {link.reason}
        </span>
      </button>
    );
  }
  return (
    <button
      type="button"
      data-testid="copy-link"
      data-link={link.hash}
      title="copy a link to the landscape shown (its settings, not its data)"
      onClick={() => void copy(link.hash)}
    >
      {copied ? "Link copied" : "Copy link"}
    </button>
  );
}
