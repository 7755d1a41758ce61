/**
 * The Chat feature (routes under /chat/*): a placeholder for the helper who builds it. Keep
 * exporting `ChatPage`; nested routes go inside it with a relative <Routes>.
 */
import { usePageTitle } from "../../ui/usePageTitle"

export const ChatPage = () => {
  usePageTitle("Chat")
  return (
    <section aria-labelledby="chat-title">
      <h1 id="chat-title">Chat</h1>
    </section>
  )
}
