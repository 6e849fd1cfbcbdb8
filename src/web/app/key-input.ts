import { apiKey } from "./client.js";
import { h } from "./dom.js";

/**
 * A password field bound to the tab's API key: it shows the key kept for this tab and keeps
 * what a person types (trimmed). The header's key field and the Sync page's admin key are the
 * same key, so both are made here and cannot drift apart in how they store it.
 */
export function keyInput(name: string, testid: string): HTMLInputElement {
  const input = h("input", {
    type: "password",
    placeholder: name,
    "aria-label": name,
    "data-testid": testid,
    autocomplete: "off",
  });
  input.value = apiKey.get();
  input.addEventListener("change", () => apiKey.set(input.value.trim()));
  return input;
}
