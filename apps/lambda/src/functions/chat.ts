/** Lambda entry of the chat function: chat rooms and message history (live delivery is AppSync's: chatResolver). */
import { functionGroups } from "../FunctionGroups.js"
import { httpFunction } from "../HttpFunction.js"

export const handler = httpFunction("chat", functionGroups.chat)
