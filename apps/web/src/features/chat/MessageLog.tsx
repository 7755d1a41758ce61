/**
 * A room's messages, oldest at the top, in a scrollable log: scrolling near the top loads the
 * next older page (a button does the same for keyboard users and when the log does not scroll),
 * and the view keeps its place when older messages are added above. New messages scroll the log
 * down only when the reader was already at the bottom, or sent one. This user's unconfirmed
 * messages follow the confirmed ones, marked "Sending…" or "Not sent" with Retry.
 */
import { useLayoutEffect, useRef, type UIEvent } from "react"
import { Button } from "../../ui/Button"
import { Empty } from "../../ui/Empty"
import { ErrorState } from "../../ui/ErrorState"
import { problemMessage } from "../../ui/FormProblem"
import { Loading } from "../../ui/Loading"
import type { ChatMessage } from "./ChatMessage"
import type { ChatRoomSnapshot, OutgoingMessage } from "./ChatRoomSession"

/** How close to the top (px) starts loading older messages; to the bottom counts as "at the bottom". */
const EDGE_PX = 80

export interface MessageLogProps {
  readonly roomName: string
  readonly snapshot: ChatRoomSnapshot
  readonly myUserId: string
  readonly nameOf: (userId: string) => string
  readonly onLoadOlder: () => void
  readonly onRetry: (clientMessageId: string) => void
  readonly onDiscard: (clientMessageId: string) => void
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" })
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" })

export const MessageLog = ({ roomName, snapshot, myUserId, nameOf, onLoadOlder, onRetry, onDiscard }: MessageLogProps) => {
  const scroller = useRef<HTMLDivElement>(null)
  const atBottom = useRef(true)
  /** What the log looked like at the last render, to tell prepends from appends. */
  const previous = useRef<{ firstSeq: number | undefined; count: number; sending: number; scrollHeight: number; scrollTop: number }>({
    firstSeq: undefined,
    count: 0,
    sending: 0,
    scrollHeight: 0,
    scrollTop: 0
  })
  const { messages, outgoing, hasOlder, older } = snapshot
  const canLoadOlder = hasOlder && older.status !== "loading"

  useLayoutEffect(() => {
    const el = scroller.current
    if (el === null) return
    const before = previous.current
    const firstSeq = messages[0]?.seq
    const count = messages.length + outgoing.length
    const sending = outgoing.length
    if (before.firstSeq !== undefined && firstSeq !== undefined && firstSeq < before.firstSeq) {
      // Older messages were added above: keep the same messages under the reader's eyes.
      el.scrollTop = before.scrollTop + (el.scrollHeight - before.scrollHeight)
    } else if ((count !== before.count && atBottom.current) || sending > before.sending) {
      // New messages while reading the newest, or the reader just sent one.
      el.scrollTop = el.scrollHeight
      atBottom.current = true
    }
    previous.current = { firstSeq, count, sending, scrollHeight: el.scrollHeight, scrollTop: el.scrollTop }
    // A log shorter than its box cannot be scrolled up: load older pages until it fills (real layout only).
    if (el.clientHeight > 0 && el.scrollHeight <= el.clientHeight && canLoadOlder && older.status !== "error") onLoadOlder()
  }, [messages, outgoing, canLoadOlder, older.status, onLoadOlder])

  const onScroll = (event: UIEvent<HTMLDivElement>) => {
    const el = event.currentTarget
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < EDGE_PX
    previous.current = { ...previous.current, scrollTop: el.scrollTop, scrollHeight: el.scrollHeight }
    if (el.scrollTop < EDGE_PX && canLoadOlder && older.status !== "error") onLoadOlder()
  }

  return (
    <div ref={scroller} className="message-log" role="log" aria-label={`Messages in #${roomName}`} tabIndex={0} onScroll={onScroll}>
      <div className="message-log-top">
        {!hasOlder ? (
          messages.length === 0 ? null : <p className="muted">This is the beginning of #{roomName}.</p>
        ) : older.status === "loading" ? (
          <Loading label="Loading older messages…" />
        ) : older.status === "error" ? (
          <ErrorState error={older.error} title="Could not load older messages" onRetry={onLoadOlder} />
        ) : (
          <Button variant="secondary" onClick={onLoadOlder}>Load older messages</Button>
        )}
      </div>
      {messages.length === 0 && outgoing.length === 0 ? (
        <Empty title="No messages yet"><p>Say hello!</p></Empty>
      ) : (
        <ol className="messages">
          {messages.map((message) => (
            <MessageItem key={message.seq} message={message} mine={message.senderId === myUserId} sender={nameOf(message.senderId)} />
          ))}
          {outgoing.map((message) => (
            <OutgoingItem key={message.clientMessageId} message={message} onRetry={onRetry} onDiscard={onDiscard} />
          ))}
        </ol>
      )}
    </div>
  )
}

const MessageItem = ({ message, mine, sender }: { readonly message: ChatMessage; readonly mine: boolean; readonly sender: string }) => {
  const sentAt = new Date(message.sentAt)
  return (
    <li className={mine ? "message message-mine" : "message"} data-seq={message.seq}>
      <div className="message-meta">
        <span className="message-sender">{mine ? "You" : sender}</span>{" "}
        <time dateTime={message.sentAt} title={dateTimeFormat.format(sentAt)}>{timeFormat.format(sentAt)}</time>
      </div>
      <p className="message-body">{message.body}</p>
    </li>
  )
}

const OutgoingItem = ({ message, onRetry, onDiscard }: {
  readonly message: OutgoingMessage
  readonly onRetry: (clientMessageId: string) => void
  readonly onDiscard: (clientMessageId: string) => void
}) => (
  <li className={`message message-mine message-${message.status}`} data-status={message.status}>
    <div className="message-meta">
      <span className="message-sender">You</span>{" "}
      <span className="message-state">{message.status === "sending" ? "Sending…" : "Not sent"}</span>
    </div>
    <p className="message-body">{message.body}</p>
    {message.status === "failed" ? (
      <div className="message-failure">
        <span className="field-error">
          {problemMessage(message.error)}
          {message.retryable ? " It is sent again automatically when the connection is back." : ""}
        </span>
        <div className="button-row">
          <Button variant="secondary" onClick={() => onRetry(message.clientMessageId)}>Retry</Button>
          <Button variant="secondary" onClick={() => onDiscard(message.clientMessageId)}>Discard</Button>
        </div>
      </div>
    ) : null}
  </li>
)
