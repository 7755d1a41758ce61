/**
 * The Chat feature (routes under /chat/*): pick a team (/chat), then its rooms and one open room
 * (/chat/:teamId/:roomId) with history, live messages over one shared /ws/chat connection, and
 * sending that survives failures.
 */
import { Route, Routes } from "react-router"
import { TeamPicker } from "../../shell/TeamPicker"
import { ChatConnectionProvider } from "./ChatConnectionContext"
import { TeamChatPage } from "./TeamChatPage"
import "./chat.css"

export const ChatPage = () => (
  <div className="chat-feature">
    <ChatConnectionProvider>
      <Routes>
        <Route index element={<TeamPicker title="Chat" feature="chat" purpose="to chat with it." />} />
        <Route path=":teamId/:roomId?" element={<TeamChatPage />} />
      </Routes>
    </ChatConnectionProvider>
  </div>
)
