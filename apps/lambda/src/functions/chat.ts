/** Lambda entry of the chat function: chat rooms and message history (live delivery is AppSync's: chatResolver). */
import * as FunctionRoutes from "../FunctionRoutes.js"
import * as FunctionWiring from "../FunctionWiring.js"
import { httpFunction } from "../HttpFunction.js"

export const handler = httpFunction("chat", FunctionRoutes.chat(), FunctionWiring.chat)
