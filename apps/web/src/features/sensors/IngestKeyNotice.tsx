/**
 * The ingest key of a device just registered — the only time the API shows it. It lives only in
 * this component's props (never in the query cache or the URL), so it is gone once the person
 * dismisses it or leaves the page. A copy button, and a warning that it will not be shown again.
 */
import { useId, useRef, useState } from "react"
import { Button } from "../../ui/Button"
import { copyText, type CopyOutcome } from "./CopyText"
import type { CreatedDevice } from "./SensorTypes"

export interface IngestKeyNoticeProps {
  readonly device: CreatedDevice
  readonly onDismiss: () => void
}

export const IngestKeyNotice = ({ device, onDismiss }: IngestKeyNoticeProps) => {
  const inputRef = useRef<HTMLInputElement>(null)
  const [outcome, setOutcome] = useState<CopyOutcome | undefined>(undefined)
  const ids = { title: useId(), key: useId(), warning: useId() }
  return (
    <section className="key-notice" aria-labelledby={ids.title}>
      <h3 id={ids.title}>Ingest key of “{device.name}”</h3>
      <p id={ids.warning} className="warning" role="alert">
        Copy this key now: it will not be shown again. The device sends it as the X-Device-Key header.
      </p>
      <div className="key-row">
        <label htmlFor={ids.key}>Ingest key</label>
        <input id={ids.key} ref={inputRef} readOnly value={device.ingestKey} className="key-value" spellCheck={false}
          aria-describedby={ids.warning} onFocus={(e) => e.currentTarget.select()} />
        <Button variant="secondary" onClick={() => void copyText(device.ingestKey, inputRef.current).then(setOutcome)}>Copy key</Button>
      </div>
      <p role="status" className="field-hint">
        {outcome === "copied" ? "Copied to the clipboard." : outcome === "selected" ? "The key is selected: press Ctrl+C (⌘C) to copy it." : ""}
      </p>
      <p className="field-hint">Device id: <code>{device.deviceId}</code></p>
      <Button variant="secondary" onClick={onDismiss}>I have copied the key</Button>
    </section>
  )
}
