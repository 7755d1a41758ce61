/**
 * Copying a value for the user: the asynchronous Clipboard API where the page may use it (secure
 * contexts), else the value's own input is selected so Ctrl+C / ⌘C copies it — document.execCommand
 * is attempted too, as older browsers still honour it for a selection.
 */
export type CopyOutcome = "copied" | "selected"

export const copyText = async (text: string, input: HTMLInputElement | null): Promise<CopyOutcome> => {
  try {
    if (typeof navigator !== "undefined" && navigator.clipboard !== undefined && typeof navigator.clipboard.writeText === "function") {
      await navigator.clipboard.writeText(text)
      return "copied"
    }
  } catch {
    // Refused (no permission, not a secure context): fall back to selecting.
  }
  if (input !== null) {
    input.focus()
    input.select()
    try {
      if (typeof document.execCommand === "function" && document.execCommand("copy")) return "copied"
    } catch {
      // Unsupported: the selection is there for the user to copy.
    }
  }
  return "selected"
}
