/**
 * A platform's named configs: the list with the current one marked, editing one at a time (with
 * version-conflict handling in ConfigEditor), making one current, deleting with confirmation, and
 * the form for a new one.
 */
import { useQueryClient } from "@tanstack/react-query"
import { useState } from "react"
import { useApiClient } from "../../session/SessionContext"
import { Button } from "../../ui/Button"
import { Empty } from "../../ui/Empty"
import { problemMessage } from "../../ui/FormProblem"
import { QueryView } from "../../ui/QueryView"
import { ConfigEditor, isVersionConflict } from "./ConfigEditor"
import { ConfirmButton } from "./ConfirmButton"
import { NewConfigForm } from "./NewConfigForm"
import { platformKeys, type Platform, type PlatformConfig } from "./Platforms"
import { formatSettings } from "./SettingsJson"
import { useConfigs } from "./useConfigs"

export interface ConfigsSectionProps {
  readonly userId: string
  readonly platform: Platform
}

export const ConfigsSection = ({ userId, platform }: ConfigsSectionProps) => {
  const configs = useConfigs(userId, platform)
  const [editing, setEditing] = useState<string | undefined>(undefined)
  const [message, setMessage] = useState<string | undefined>(undefined)

  return (
    <section aria-labelledby="configs-title" className="panel">
      <h2 id="configs-title">Configs</h2>
      {message === undefined ? null : <p role="status" className="notice">{message}</p>}
      <QueryView
        query={configs}
        loadingLabel="Loading configs…"
        errorTitle="Could not load the configs"
        isEmpty={(list) => list.configs.length === 0}
        empty={<Empty title="No configs yet">Create the first one below; it becomes the current config.</Empty>}
      >
        {(list) => (
          <ul className="item-list" aria-label="Configs">
            {list.configs.map((config) => (
              <li key={config.configId}>
                {editing === config.configId ? (
                  <ConfigEditor
                    userId={userId}
                    platform={platform}
                    config={config}
                    isCurrent={list.currentConfigId === config.configId}
                    onSaved={(saved) => {
                      setEditing(undefined)
                      setMessage(`Saved “${saved.name}” (version ${saved.version}).`)
                    }}
                    onCancel={() => setEditing(undefined)}
                  />
                ) : (
                  <ConfigRow
                    userId={userId}
                    platform={platform}
                    config={config}
                    isCurrent={list.currentConfigId === config.configId}
                    onEdit={() => {
                      setMessage(undefined)
                      setEditing(config.configId)
                    }}
                    onMessage={setMessage}
                  />
                )}
              </li>
            ))}
          </ul>
        )}
      </QueryView>
      <NewConfigForm userId={userId} platform={platform} onCreated={(config) => setMessage(`Created “${config.name}”.`)} />
    </section>
  )
}

interface ConfigRowProps {
  readonly userId: string
  readonly platform: Platform
  readonly config: PlatformConfig
  readonly isCurrent: boolean
  readonly onEdit: () => void
  readonly onMessage: (message: string) => void
}

const ConfigRow = ({ userId, platform, config, isCurrent, onEdit, onMessage }: ConfigRowProps) => {
  const api = useApiClient()
  const queryClient = useQueryClient()
  const [making, setMaking] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  const refresh = () => queryClient.invalidateQueries({ queryKey: platformKeys.configs(platform) })

  const makeCurrent = () => {
    setMaking(true)
    setError(undefined)
    api.call("platforms.updateConfig", {
      params: { userId, platform, configId: config.configId },
      body: { makeCurrent: true, version: config.version }
    }).then(
      (saved) => {
        setMaking(false)
        onMessage(`“${saved.name}” is now the current config.`)
        void refresh()
      },
      (failure: unknown) => {
        setMaking(false)
        setError(
          isVersionConflict(failure)
            ? "Someone else changed this config meanwhile; the list now shows their version. Try again."
            : problemMessage(failure)
        )
        void refresh()
      }
    )
  }

  return (
    <article className="item" aria-label={config.name}>
      <div className="item-head">
        <h3 className="item-title">{config.name}</h3>
        {isCurrent ? <span className="badge badge-ok">Current</span> : null}
        <span className="item-meta">version {config.version} · updated {new Date(config.updatedAt).toLocaleString()}</span>
      </div>
      <details>
        <summary>Settings</summary>
        <pre className="json">{formatSettings(config.settings)}</pre>
      </details>
      <div className="button-row">
        <Button variant="secondary" aria-label={`Edit ${config.name}`} onClick={onEdit}>Edit</Button>
        {isCurrent ? null : (
          <Button variant="secondary" aria-label={`Make ${config.name} current`} busy={making} busyLabel="Saving…" onClick={makeCurrent}>
            Make current
          </Button>
        )}
        <ConfirmButton
          label="Delete"
          accessibleLabel={`Delete ${config.name}`}
          question={`Delete the config “${config.name}”?`}
          confirmLabel="Delete config"
          busyLabel="Deleting…"
          onConfirm={async () => {
            await api.call("platforms.deleteConfig", { params: { userId, platform, configId: config.configId } })
            onMessage(`Deleted “${config.name}”.`)
            await refresh()
          }}
        />
      </div>
      {error === undefined ? null : <p role="alert" className="field-error">{error}</p>}
    </article>
  )
}
